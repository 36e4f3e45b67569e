package dev.ferrymq.server.config;

import dev.ferrymq.broker.cluster.ClusterConfig;
import dev.ferrymq.broker.cluster.NodeAddress;
import dev.ferrymq.server.tls.TlsSettings;
import dev.ferrymq.store.FsyncPolicy;
import dev.ferrymq.store.StoreConfig;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static dev.ferrymq.server.config.Settings.*;

/**
 * Everything the server is configured with: a value for each {@link Settings setting}. Immutable: {@link #with}
 * returns a changed copy. The accessors below are shorthands for {@link #get}; a setting needs one only where code
 * reads it, and the few that derive a value (the io threads, the AMQPS port, the TLS files) say how.
 */
public final class ServerConfig {
    public static final int DEFAULT_AMQP_PORT = 5672;
    public static final int DEFAULT_MANAGEMENT_PORT = 15672;
    /** A port setting that turns its listener off. */
    public static final int DISABLED = -1;
    public static final int DEFAULT_AMQPS_PORT = 5671;
    /** How often memory and free disk are checked. */
    private static final long ALARM_CHECK_INTERVAL_MILLIS = 1000;

    /** Indexed by {@link Setting#index()}. */
    private final Object[] values;

    private ServerConfig(Object[] values) {
        this.values = values;
    }

    public static ServerConfig defaults() {
        List<Setting<?>> all = Settings.all();
        Object[] values = new Object[all.size()];
        for (Setting<?> setting : all) {
            values[setting.index()] = setting.defaultValue();
        }
        return new ServerConfig(values);
    }

    public <T> T get(Setting<T> setting) {
        return setting.type().cast(values[setting.index()]);
    }

    /** A copy with the setting changed; IllegalArgumentException if the value is bad for it. */
    public <T> ServerConfig with(Setting<T> setting, T value) {
        Object[] changed = Arrays.copyOf(values, values.length);
        changed[setting.index()] = setting.check(value);
        return new ServerConfig(changed);
    }

    /** A copy with the five TLS settings taken from {@code tls} (null clears them). */
    public ServerConfig withTls(TlsSettings tls) {
        return with(TLS_CERT, tls == null ? null : tls.certificate())
                .with(TLS_KEY, tls == null ? null : tls.privateKey())
                .with(TLS_PASSWORD, tls == null ? null : tls.password())
                .with(TLS_CA, tls == null ? null : tls.trustedCertificates())
                .with(TLS_VERIFY, tls == null ? null : tls.peerVerification());
    }

    public String bind() {
        return get(BIND);
    }

    public int amqpPort() {
        return get(AMQP_PORT);
    }

    public Path dataDir() {
        return get(DATA_DIR);
    }

    public int frameMax() {
        return get(FRAME_MAX);
    }

    public int channelMax() {
        return get(CHANNEL_MAX);
    }

    public int heartbeatSeconds() {
        return get(HEARTBEAT);
    }

    public long maxMessageSize() {
        return get(MAX_MESSAGE_SIZE);
    }

    public int handshakeTimeoutSeconds() {
        return get(HANDSHAKE_TIMEOUT);
    }

    public FsyncPolicy fsync() {
        return get(FSYNC);
    }

    public long groupCommitDelayMicros() {
        return get(GROUP_COMMIT_DELAY_US);
    }

    /** RabbitMQ's consumer_timeout: a delivery unacknowledged for longer closes its channel (406); 0 = never. */
    public long consumerTimeoutMillis() {
        return get(CONSUMER_TIMEOUT);
    }

    /**
     * Event-loop threads for client connections. The default, one per two processors (at least one), leaves
     * the other half to the fsync thread, the JIT and GC, and to clients on the same machine. On two cores one
     * loop instead of two took benchmark 3a from 13,500-15,600 to 19,900-21,100 msg/s: publisher and consumer
     * no longer hand every message (and the queue lock) across threads (bench/README.md, "What changed").
     */
    public int ioThreads() {
        int ioThreads = get(IO_THREADS);
        return ioThreads > 0 ? ioThreads : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }

    /** The store settings these server settings imply. */
    public StoreConfig storeConfig() {
        return StoreConfig.defaults().withFsyncPolicy(fsync()).withMaxGroupCommitDelayMicros(groupCommitDelayMicros());
    }

    public int managementPort() {
        return get(MANAGEMENT_PORT);
    }

    public boolean managementTls() {
        return get(MANAGEMENT_TLS);
    }

    /** A definitions file to apply at start, or null. */
    public Path loadDefinitions() {
        return get(LOAD_DEFINITIONS);
    }

    public int linePort() {
        return get(LINE_PORT);
    }

    public String lineExchange() {
        return get(LINE_EXCHANGE);
    }

    public String lineRoutingKey() {
        return get(LINE_ROUTING_KEY);
    }

    public boolean lineAck() {
        return get(LINE_ACK);
    }

    public String nodeName() {
        return get(NODE_NAME);
    }

    /**
     * What this node needs to join its cluster (storage under {@code <data-dir>/cluster}), or null without
     * {@code cluster-seeds}: a single node.
     */
    public ClusterConfig clusterConfig() {
        String seeds = get(CLUSTER_SEEDS);
        return seeds == null ? null : new ClusterConfig(nodeName(), bind(), get(CLUSTER_PORT),
                NodeAddress.parseList(seeds), dataDir().resolve("cluster"), amqpPort());
    }

    public String logLevel() {
        return get(LOG_LEVEL);
    }

    public String logFormat() {
        return get(LOG_FORMAT);
    }

    public int maxConnections() {
        return get(MAX_CONNECTIONS);
    }

    public int maxConnectionsPerVhost() {
        return get(MAX_CONNECTIONS_PER_VHOST);
    }

    public int maxConnectionsPerUser() {
        return get(MAX_CONNECTIONS_PER_USER);
    }

    public int maxQueuesPerVhost() {
        return get(MAX_QUEUES_PER_VHOST);
    }

    public double memoryHighWatermark() {
        return get(MEMORY_HIGH_WATERMARK);
    }

    public long diskFreeLimit() {
        return get(DISK_FREE_LIMIT);
    }

    public long alarmCheckIntervalMillis() {
        return ALARM_CHECK_INTERVAL_MILLIS;
    }

    /** The AMQPS port to listen on: the setting, or when it is -1, 5671 if TLS is configured, else -1 (none). */
    public int amqpsPort() {
        int amqpsPort = get(AMQPS_PORT);
        if (amqpsPort == -1) {
            return tls() == null ? -1 : DEFAULT_AMQPS_PORT;
        }
        return amqpsPort;
    }

    /**
     * The TLS certificate, key and trust of AMQPS and HTTPS, or null without {@code tls-cert} (the other TLS
     * settings alone do nothing). IllegalArgumentException if they do not fit together (see {@link TlsSettings}).
     */
    public TlsSettings tls() {
        Path certificate = get(TLS_CERT);
        return certificate == null ? null : new TlsSettings(certificate, get(TLS_KEY), get(TLS_PASSWORD),
                get(TLS_CA), get(TLS_VERIFY));
    }
}
