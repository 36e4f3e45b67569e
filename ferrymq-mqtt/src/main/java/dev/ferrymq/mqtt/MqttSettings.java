package dev.ferrymq.mqtt;

import dev.ferrymq.broker.adapter.AdapterContext;

import java.nio.file.Path;

/**
 * The MQTT listener's settings, read once from the server's settings table (docs/config.md).
 *
 * @param port             the plain MQTT port, -1 for none
 * @param tlsPort          the MQTT-over-TLS port, -1 for none
 * @param vhost            vhost of clients whose user name does not name one
 * @param exchange         the topic exchange messages are published to and subscriptions bind to
 * @param maxPacketSize    largest packet accepted (bytes)
 * @param prefetch         unacknowledged QoS 1 deliveries per subscriber
 * @param allowAnonymous   a client without a user name logs in as {@code guest}
 * @param handshakeSeconds how long a new socket has to send CONNECT
 * @param dataDir          the server's data directory (retained messages are kept under {@code mqtt/})
 */
public record MqttSettings(String bind, int port, int tlsPort, String vhost, String exchange, int maxPacketSize, int prefetch,
                           boolean allowAnonymous, int handshakeSeconds, Path dataDir) {

    static MqttSettings from(AdapterContext context) {
        long maxPacket = context.setting("mqtt-max-packet-size", Long.class);
        return new MqttSettings(context.setting("bind", String.class), context.setting("mqtt-port", Integer.class),
                context.setting("mqtts-port", Integer.class),
                context.setting("mqtt-vhost", String.class), context.setting("mqtt-exchange", String.class),
                (int) Math.min(maxPacket, MAX_REMAINING_LENGTH), context.setting("mqtt-prefetch", Integer.class),
                context.setting("mqtt-allow-anonymous", Boolean.class),
                context.setting("handshake-timeout", Integer.class), context.setting("data-dir", Path.class));
    }

    /** The most a packet's remaining-length field can say (four bytes of seven bits). */
    static final int MAX_REMAINING_LENGTH = 268_435_455;
}
