package dev.ferrymq.server;

import dev.ferrymq.store.FsyncPolicy;

import java.nio.file.Path;

/**
 * Everything the server is configured with. Immutable; the {@code with…} methods return changed copies.
 *
 * @param bind                    address the AMQP listener binds to
 * @param amqpPort                AMQP port; 0 picks a free one (tests)
 * @param dataDir                 where the broker keeps its files
 * @param frameMax                largest frame the server accepts and offers in connection.tune
 * @param channelMax              most channels per connection offered in connection.tune
 * @param heartbeatSeconds        heartbeat interval offered in connection.tune; 0 disables
 * @param maxMessageSize          largest message body accepted, in bytes
 * @param handshakeTimeoutSeconds time a new socket has to complete the AMQP handshake
 * @param fsync                   when persistent messages are fsynced (see docs/storage.md)
 */
public record ServerConfig(String bind, int amqpPort, Path dataDir, int frameMax, int channelMax,
                           int heartbeatSeconds, long maxMessageSize, int handshakeTimeoutSeconds,
                           FsyncPolicy fsync) {

    public static final int DEFAULT_AMQP_PORT = 5672;

    public static ServerConfig defaults() {
        return new ServerConfig("0.0.0.0", DEFAULT_AMQP_PORT, Path.of("data"), 131072, 2047, 60,
                128L * 1024 * 1024, 10, FsyncPolicy.ALWAYS);
    }

    public ServerConfig withBind(String value) {
        return new ServerConfig(value, amqpPort, dataDir, frameMax, channelMax, heartbeatSeconds, maxMessageSize,
                handshakeTimeoutSeconds, fsync);
    }

    public ServerConfig withAmqpPort(int value) {
        return new ServerConfig(bind, value, dataDir, frameMax, channelMax, heartbeatSeconds, maxMessageSize,
                handshakeTimeoutSeconds, fsync);
    }

    public ServerConfig withDataDir(Path value) {
        return new ServerConfig(bind, amqpPort, value, frameMax, channelMax, heartbeatSeconds, maxMessageSize,
                handshakeTimeoutSeconds, fsync);
    }

    public ServerConfig withFrameMax(int value) {
        return new ServerConfig(bind, amqpPort, dataDir, value, channelMax, heartbeatSeconds, maxMessageSize,
                handshakeTimeoutSeconds, fsync);
    }

    public ServerConfig withChannelMax(int value) {
        return new ServerConfig(bind, amqpPort, dataDir, frameMax, value, heartbeatSeconds, maxMessageSize,
                handshakeTimeoutSeconds, fsync);
    }

    public ServerConfig withHeartbeatSeconds(int value) {
        return new ServerConfig(bind, amqpPort, dataDir, frameMax, channelMax, value, maxMessageSize,
                handshakeTimeoutSeconds, fsync);
    }

    public ServerConfig withMaxMessageSize(long value) {
        return new ServerConfig(bind, amqpPort, dataDir, frameMax, channelMax, heartbeatSeconds, value,
                handshakeTimeoutSeconds, fsync);
    }

    public ServerConfig withHandshakeTimeoutSeconds(int value) {
        return new ServerConfig(bind, amqpPort, dataDir, frameMax, channelMax, heartbeatSeconds, maxMessageSize,
                value, fsync);
    }

    public ServerConfig withFsync(FsyncPolicy value) {
        return new ServerConfig(bind, amqpPort, dataDir, frameMax, channelMax, heartbeatSeconds, maxMessageSize,
                handshakeTimeoutSeconds, value);
    }
}
