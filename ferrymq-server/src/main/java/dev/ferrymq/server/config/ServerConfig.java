package dev.ferrymq.server.config;

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
    public static final int DEFAULT_AMQPS_PORT = 5671;

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
    /** Event-loop threads serving client connections; 0 = one per two processors (see {@link #ioThreads()}). */
    private int ioThreads = 0;
    /** RabbitMQ's consumer_timeout: a delivery unacknowledged for longer closes its channel (406); 0 = never. */
    private long consumerTimeoutMillis = 30 * 60 * 1000;
    /** Management HTTP API, web UI and /metrics port; 0 picks a free one, -1 disables. */
    private int managementPort = DEFAULT_MANAGEMENT_PORT;
    /** Serve the management port over HTTPS with the AMQPS certificate (RabbitMQ's management.ssl). */
    private boolean managementTls;
    /** Plain TCP line listener port (each line becomes a message); -1 (default) disables, 0 picks a free one. */
    private int linePort = DISABLED;
    /** Exchange the line listener publishes to ("" = the default exchange). */
    private String lineExchange = "";
    /** Routing key of line messages; with the default exchange, the queue (declared durable on start). */
    private String lineRoutingKey = "inbox";
    /** Answer each line with "OK n" once stored durably (or "ERR reason"). */
    private boolean lineAck;
    /** Most client sockets open at once; further ones are closed on accept. 0 = unlimited. */
    private int maxConnections = 0;
    /** Most open connections per virtual host (RabbitMQ's vhost max-connections). 0 = unlimited. */
    private int maxConnectionsPerVhost = 0;
    /** Most open connections per user (RabbitMQ's user max-connections). 0 = unlimited. */
    private int maxConnectionsPerUser = 0;
    /** Most queues per virtual host (RabbitMQ's vhost max-queues). 0 = unlimited. */
    private int maxQueuesPerVhost = 0;
    /** Memory alarm when live heap plus direct memory exceeds this fraction of the max heap; 0 disables. */
    private double memoryHighWatermark = 0.6;
    /** Disk alarm when the data directory's file system has less free space than this, in bytes; 0 disables. */
    private long diskFreeLimit = 50L * 1024 * 1024;
    /** How often memory and free disk are checked, in milliseconds. */
    private long alarmCheckIntervalMillis = 1000;
    /** AMQPS port; -1 = 5671 when a certificate is configured, off otherwise; 0 picks a free one (tests). */
    private int amqpsPort = -1;
    /** TLS certificates and keys for AMQPS; null = no TLS. */
    private dev.ferrymq.server.tls.TlsSettings tls;
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

    public long consumerTimeoutMillis() {
        return consumerTimeoutMillis;
    }

    /**
     * Event-loop threads for client connections. The default, one per two processors (at least one), leaves
     * the other half to the fsync thread, the JIT and GC, and to clients on the same machine. On two cores one
     * loop instead of two took benchmark 3a from 13,500-15,600 to 19,900-21,100 msg/s: publisher and consumer
     * no longer hand every message (and the queue lock) across threads (bench/README.md, "What changed").
     */
    public int ioThreads() {
        return ioThreads > 0 ? ioThreads : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }

    public ServerConfig withIoThreads(int value) {
        return copy(c -> c.ioThreads = nonNegative("io threads", value));
    }

    public ServerConfig withConsumerTimeoutMillis(long value) {
        return copy(c -> c.consumerTimeoutMillis = value);
    }

    /** The store settings these server settings imply. */
    public StoreConfig storeConfig() {
        return StoreConfig.defaults().withFsyncPolicy(fsync).withMaxGroupCommitDelayMicros(groupCommitDelayMicros);
    }

    public int managementPort() {
        return managementPort;
    }

    public boolean managementTls() {
        return managementTls;
    }

    public ServerConfig withManagementTls(boolean value) {
        return copy(c -> c.managementTls = value);
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

    public int maxConnections() {
        return maxConnections;
    }

    public int maxConnectionsPerVhost() {
        return maxConnectionsPerVhost;
    }

    public int maxConnectionsPerUser() {
        return maxConnectionsPerUser;
    }

    public int maxQueuesPerVhost() {
        return maxQueuesPerVhost;
    }

    public double memoryHighWatermark() {
        return memoryHighWatermark;
    }

    public long diskFreeLimit() {
        return diskFreeLimit;
    }

    public long alarmCheckIntervalMillis() {
        return alarmCheckIntervalMillis;
    }

    /** The AMQPS port to listen on, or -1 for none (see {@link #withAmqpsPort}). */
    public int amqpsPort() {
        if (amqpsPort == -1) {
            return tls == null ? -1 : DEFAULT_AMQPS_PORT;
        }
        return amqpsPort;
    }

    public dev.ferrymq.server.tls.TlsSettings tls() {
        return tls;
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

    public ServerConfig withMaxConnections(int value) {
        return copy(c -> c.maxConnections = nonNegative("max connections", value));
    }

    public ServerConfig withMaxConnectionsPerVhost(int value) {
        return copy(c -> c.maxConnectionsPerVhost = nonNegative("max connections per vhost", value));
    }

    public ServerConfig withMaxConnectionsPerUser(int value) {
        return copy(c -> c.maxConnectionsPerUser = nonNegative("max connections per user", value));
    }

    public ServerConfig withMaxQueuesPerVhost(int value) {
        return copy(c -> c.maxQueuesPerVhost = nonNegative("max queues per vhost", value));
    }

    public ServerConfig withMemoryHighWatermark(double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException("memory high watermark must be a fraction in [0, 1], not " + value);
        }
        return copy(c -> c.memoryHighWatermark = value);
    }

    public ServerConfig withDiskFreeLimit(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("disk free limit must not be negative: " + value);
        }
        return copy(c -> c.diskFreeLimit = value);
    }

    public ServerConfig withAlarmCheckIntervalMillis(long value) {
        if (value <= 0) {
            throw new IllegalArgumentException("alarm check interval must be positive: " + value);
        }
        return copy(c -> c.alarmCheckIntervalMillis = value);
    }

    /** AMQPS port: -1 = default (5671 if TLS is configured), 0 = any free port. */
    public ServerConfig withAmqpsPort(int value) {
        return copy(c -> c.amqpsPort = value);
    }

    public ServerConfig withTls(dev.ferrymq.server.tls.TlsSettings value) {
        return copy(c -> c.tls = value);
    }

    private static int nonNegative(String what, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(what + " must not be negative (0 = unlimited): " + value);
        }
        return value;
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
