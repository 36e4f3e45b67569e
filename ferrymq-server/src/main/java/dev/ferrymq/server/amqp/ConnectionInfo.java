package dev.ferrymq.server.amqp;

import dev.ferrymq.server.amqp.channel.ChannelInfo;

import java.util.List;
import java.util.Map;

/**
 * A snapshot of one open client connection, for the management API and metrics (field meanings follow RabbitMQ's
 * connection listing). Immutable.
 *
 * @param name        RabbitMQ-style name, "peer_host:peer_port -> host:port"
 * @param connectedAt epoch milliseconds
 * @param user        authenticated user, or null during the handshake
 * @param vhost       virtual host, or null before connection.open
 */
public record ConnectionInfo(String name, String peerHost, int peerPort, String host, int port, long connectedAt,
                             String user, String vhost, String authMechanism, Map<String, Object> clientProperties,
                             int frameMax, int channelMax, int heartbeat, long receivedBytes, long sentBytes,
                             List<ChannelInfo> channels) {

}
