package dev.ferrymq.broker.adapter;

/**
 * A snapshot of one protocol-adapter connection, for the management API.
 *
 * @param name        unique among connections, as RabbitMQ names them ({@code "peer -> local"})
 * @param protocol    e.g. {@code "MQTT 3.1.1"}
 * @param clientId    the client's own identifier (MQTT client id), or null
 * @param connectedAt milliseconds since the epoch
 */
public record AdapterConnection(String name, String protocol, String peerHost, int peerPort, String host,
                                int port, String user, String vhost, String clientId, long connectedAt) {
}
