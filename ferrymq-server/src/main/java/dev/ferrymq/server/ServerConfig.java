package dev.ferrymq.server;

import dev.ferrymq.store.FsyncPolicy;
import dev.ferrymq.store.StoreConfig;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Everything the server is configured with. Immutable once built: each {@code with…} method returns a changed
 * copy, so adding a setting means adding one field, one accessor and one wither.
 */
public final class ServerConfig implements Cloneable {
    public static final int DEFAULT_AMQP_PORT = 5672;
    public static final int DEFAULT_MANAGEMENT_PORT = 15672;
    /** A port setting that turns its listener off. */
    public static final int DISABLED = -1;

    /** Address the AMQP listener binds to. */
    private String bind = "0.0.0.0";
    /** AMQP port; 0 picks a free one (tests). */
    private int amqpPort = DEFAULT_AMQP_PORT;
    /** Where the broker keeps its files. */
    private Path dataDir = Path.of("data");
    /** Largest frame the server accepts and offers in connection.tune. */
    private int frameMax = 131072;
    /** Most channels per connection offered in connection.tune. */
    private int channelMax = 2047;
    /** Heartbeat interval offered in connection.tune; 0 disables. */
    private int heartbeatSeconds = 60;
    /** Largest message body accepted, in bytes. */
    private long maxMessageSize = 128L * 1024 * 1024;
    /** Time a new socket has to complete the AMQP handshake. */
    private int handshakeTimeoutSeconds = 10;
    /** When persistent messages are fsynced (see docs/storage.md). */
    private FsyncPolicy fsync = FsyncPolicy.ALWAYS;
    /** With fsync ALWAYS, how long a group commit waits for more writes to join it before it fsyncs. */
    private long groupCommitDelayMicros = StoreConfig.defaults().maxGroupCommitDelayMicros();
    /** Management HTTP API, web UI and /metrics port; 0 picks a free one, -1 disables. */
    private int managementPort = DEFAULT_MANAGEMENT_PORT;
    /** Plain TCP line listener port (each line becomes a message); -1 (default) disables, 0 picks a free one. */
    private int linePort = DISABLED;
    /** Exchange the line listener publishes to ("" = the default exchange). */
    private String lineExchange = "";
    /** Routing key of line messages; with the default exchange, the queue (declared durable on start). */
    private String lineRoutingKey = "inbox";
    /** Answer each line with "OK n" once stored durably (or "ERR reason"). */
    private boolean lineAck;
    /** Root log level: TRACE, DEBUG, INFO, WARN or ERROR. */
    private String logLevel = "INFO";
    /** Log line format: text or json (logback's JsonEncoder, one object per line). */
    private String logFormat = "text";

    private ServerConfig() {
    }

    public static ServerConfig defaults() {
        return new ServerConfig();
    }

    public String bind() {
        return bind;
    }

    public int amqpPort() {
        return amqpPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    public int frameMax() {
        return frameMax;
    }

    public int channelMax() {
        return channelMax;
    }

    public int heartbeatSeconds() {
        return heartbeatSeconds;
    }

    public long maxMessageSize() {
        return maxMessageSize;
    }

    public int handshakeTimeoutSeconds() {
        return handshakeTimeoutSeconds;
    }

    public FsyncPolicy fsync() {
        return fsync;
    }

    public long groupCommitDelayMicros() {
        return groupCommitDelayMicros;
    }

    /** The store settings these server settings imply. */
    public StoreConfig storeConfig() {
        return StoreConfig.defaults().withFsyncPolicy(fsync).withMaxGroupCommitDelayMicros(groupCommitDelayMicros);
    }

    public int managementPort() {
        return managementPort;
    }

    public int linePort() {
        return linePort;
    }

    public String lineExchange() {
        return lineExchange;
    }

    public String lineRoutingKey() {
        return lineRoutingKey;
    }

    public boolean lineAck() {
        return lineAck;
    }

    public String logLevel() {
        return logLevel;
    }

    public String logFormat() {
        return logFormat;
    }

    public ServerConfig withLogLevel(String value) {
        String level = value.trim().toUpperCase(Locale.ROOT);
        if (!List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR").contains(level)) {
            throw new IllegalArgumentException("log level must be TRACE, DEBUG, INFO, WARN or ERROR");
        }
        return copy(c -> c.logLevel = level);
    }

    public ServerConfig withLogFormat(String value) {
        String format = value.trim().toLowerCase(Locale.ROOT);
        if (!List.of("text", "json").contains(format)) {
            throw new IllegalArgumentException("log format must be text or json");
        }
        return copy(c -> c.logFormat = format);
    }

    public ServerConfig withManagementPort(int value) {
        return copy(c -> c.managementPort = value);
    }

    public ServerConfig withLinePort(int value) {
        return copy(c -> c.linePort = value);
    }

    public ServerConfig withLineExchange(String value) {
        return copy(c -> c.lineExchange = value);
    }

    public ServerConfig withLineRoutingKey(String value) {
        return copy(c -> c.lineRoutingKey = value);
    }

    public ServerConfig withLineAck(boolean value) {
        return copy(c -> c.lineAck = value);
    }

    public ServerConfig withBind(String value) {
        return copy(c -> c.bind = value);
    }

    public ServerConfig withAmqpPort(int value) {
        return copy(c -> c.amqpPort = value);
    }

    public ServerConfig withDataDir(Path value) {
        return copy(c -> c.dataDir = value);
    }

    public ServerConfig withFrameMax(int value) {
        return copy(c -> c.frameMax = value);
    }

    public ServerConfig withChannelMax(int value) {
        return copy(c -> c.channelMax = value);
    }

    public ServerConfig withHeartbeatSeconds(int value) {
        return copy(c -> c.heartbeatSeconds = value);
    }

    public ServerConfig withMaxMessageSize(long value) {
        return copy(c -> c.maxMessageSize = value);
    }

    public ServerConfig withHandshakeTimeoutSeconds(int value) {
        return copy(c -> c.handshakeTimeoutSeconds = value);
    }

    public ServerConfig withFsync(FsyncPolicy value) {
        return copy(c -> c.fsync = value);
    }

    public ServerConfig withGroupCommitDelayMicros(long value) {
        return copy(c -> c.groupCommitDelayMicros = value);
    }

    private ServerConfig copy(Consumer<ServerConfig> change) {
        try {
            ServerConfig copy = (ServerConfig) super.clone();
            change.accept(copy);
            return copy;
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
    }
}
