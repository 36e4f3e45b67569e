package dev.ferrymq.server.config;

import dev.ferrymq.broker.cluster.NodeAddress;
import dev.ferrymq.server.tls.TlsSettings.PeerVerification;
import dev.ferrymq.store.FsyncPolicy;
import dev.ferrymq.store.StoreConfig;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The table of every server setting, in the order docs/config.md lists them. A new setting is one entry here: the
 * config file, the {@code FERRYMQ_*} environment variables, the flags of {@code ferrymq server} and the settings
 * table of docs/config.md ({@link SettingsDoc}) all come from it; {@link ServerConfig} holds the values.
 */
public final class Settings {
    private static final List<Setting<?>> ALL = new ArrayList<>();

    public static final Setting<String> BIND = define("bind", "ADDR", String.class, s -> s, same(), "0.0.0.0", null,
            "address every listener binds to");
    public static final Setting<Integer> AMQP_PORT = integer("amqp-port", "N", 5672,
            "AMQP 0-9-1 port (`0` = any free port)");
    public static final Setting<Path> DATA_DIR = define("data-dir", "DIR", Path.class, Path::of, same(),
            Path.of("data"), "`./data`", "where durable state and messages are kept (created if missing)");
    public static final Setting<FsyncPolicy> FSYNC = define("fsync", "always|periodic", FsyncPolicy.class,
            Settings::fsyncPolicy, same(), FsyncPolicy.ALWAYS, "`always`",
            "`always`: a publisher confirm means fsynced (group commit) or consumed and acknowledged; `periodic`: "
                    + "fsync every second, a confirm means written to the OS. See [storage.md](storage.md)");
    public static final Setting<Long> GROUP_COMMIT_DELAY_US = longValue("group-commit-delay-us", "MICROS",
            StoreConfig.defaults().maxGroupCommitDelayMicros(), same(), null,
            "with `always`, how long an fsync waits for more publishes to join it (µs)");
    public static final Setting<Integer> IO_THREADS = define("io-threads", "N", Integer.class, Settings::integer,
            nonNegative("io threads", ""), 0, "`0` (one per two processors, at least 1)",
            "event-loop threads serving AMQP, AMQPS, MQTT and line connections; each connection stays on one. "
                    + "More helps many busy connections on many cores; on a small machine shared with clients fewer is faster "
                    + "(see bench/README.md)");
    public static final Setting<Integer> FRAME_MAX = integer("frame-max", "BYTES", 131072,
            "largest frame offered in connection.tune (bytes)");
    public static final Setting<Integer> CHANNEL_MAX = integer("channel-max", "N", 2047,
            "most channels per connection");
    public static final Setting<Integer> HEARTBEAT = integer("heartbeat", "SECONDS", 60,
            "heartbeat interval offered in connection.tune (s; `0` = off)");
    public static final Setting<Long> MAX_MESSAGE_SIZE = longValue("max-message-size", "BYTES", 128L * 1024 * 1024,
            same(), "`134217728` (128 MiB)", "largest message body accepted (bytes)");
    public static final Setting<Long> CONSUMER_TIMEOUT = longValue("consumer-timeout", "MILLIS", 30L * 60 * 1000,
            same(), "`1800000` (30 min)", "a delivery unacknowledged for longer closes its channel with 406, as "
                    + "RabbitMQ's `consumer_timeout` (ms; `0` = off)");
    public static final Setting<Integer> HANDSHAKE_TIMEOUT = integer("handshake-timeout", "SECONDS", 10,
            "seconds a new socket has to complete the AMQP handshake");
    public static final Setting<Integer> MAX_CONNECTIONS = limit("max-connections", "max connections",
            "most open client sockets; more are closed on accept");
    public static final Setting<Integer> MAX_CONNECTIONS_PER_VHOST = limit("max-connections-per-vhost",
            "max connections per vhost", "refused at connection.open with 530");
    public static final Setting<Integer> MAX_CONNECTIONS_PER_USER = limit("max-connections-per-user",
            "max connections per user", "refused at connection.open with 530");
    public static final Setting<Integer> MAX_QUEUES_PER_VHOST = limit("max-queues-per-vhost",
            "max queues per vhost", "queue.declare beyond it is 406");
    public static final Setting<Double> MEMORY_HIGH_WATERMARK = define("memory-high-watermark", "FRACTION",
            Double.class, Settings::decimal, Settings::fraction, 0.6, null, "memory alarm above this fraction of "
                    + "the max heap (live heap + direct memory); publishers get `connection.blocked`");
    public static final Setting<Long> DISK_FREE_LIMIT = longValue("disk-free-limit", "BYTES", 50L * 1024 * 1024,
            value -> requireAtLeast(value, 0, "disk free limit must not be negative: "), "`52428800` (50 MiB)",
            "disk alarm below this much free space for the data dir");
    public static final Setting<Integer> AMQPS_PORT = define("amqps-port", "N", Integer.class, Settings::integer,
            same(), -1, "`5671` once a certificate is set, else off", "AMQP over TLS 1.2/1.3");
    public static final Setting<Path> TLS_CERT = define("tls-cert", "FILE", Path.class, Path::of, same(), null, "",
            "PEM certificate chain, or a PKCS#12 file");
    public static final Setting<Path> TLS_KEY = define("tls-key", "FILE", Path.class, Path::of, same(), null, "",
            "PEM (PKCS#8) private key of the certificate");
    public static final Setting<String> TLS_PASSWORD = define("tls-password", "PASSWORD", String.class, s -> s,
            same(), null, "", "password of the PKCS#12 file or key");
    public static final Setting<Path> TLS_CA = define("tls-ca", "FILE", Path.class, Path::of, same(), null, "",
            "CA certificates client certificates are verified against (enables SASL EXTERNAL)");
    public static final Setting<PeerVerification> TLS_VERIFY = define("tls-verify", "MODE", PeerVerification.class,
            Settings::verification, same(), null, "`optional` with `tls-ca`, else `none`",
            "client certificates: `none`, `optional` or `required`");
    public static final Setting<Integer> MANAGEMENT_PORT = integer("management-port", "N", 15672,
            "management API, web UI and `/metrics` (`0` = any free port, `-1` = off)");
    public static final Setting<Boolean> MANAGEMENT_TLS = switchOf("management-tls", "serve the management port "
            + "over HTTPS (TLS 1.2/1.3) with the AMQPS certificate (`tls-cert`, `tls-key`)");
    public static final Setting<Path> LOAD_DEFINITIONS = define("load-definitions", "FILE", Path.class, Path::of,
            same(), null, "none", "RabbitMQ definitions JSON (as `GET /api/definitions` exports it) applied at "
                    + "every start, before the listeners open (RabbitMQ's `load_definitions`)");
    public static final Setting<Integer> LINE_PORT = define("line-port", "N", Integer.class, Settings::integer,
            same(), ServerConfig.DISABLED, "off (`-1`)", "plain TCP line listener: each line becomes a message");
    public static final Setting<String> LINE_EXCHANGE = define("line-exchange", "NAME", String.class, s -> s,
            same(), "", "`\"\"` (default exchange)", "exchange line messages are published to");
    public static final Setting<String> LINE_ROUTING_KEY = define("line-routing-key", "KEY", String.class, s -> s,
            same(), "inbox", null,
            "their routing key; with the default exchange a durable queue of that name is declared");
    public static final Setting<Boolean> LINE_ACK = switchOf("line-ack",
            "answer each line `OK <n>` once stored durably, or `ERR <reason>`");
    public static final Setting<Integer> MQTT_PORT = define("mqtt-port", "N", Integer.class, Settings::integer,
            same(), ServerConfig.DISABLED, "off (`-1`; RabbitMQ's is `1883`)", "MQTT 3.1.1 and 5 listener; see "
                    + "[mqtt.md](mqtt.md)");
    public static final Setting<Integer> MQTTS_PORT = define("mqtts-port", "N", Integer.class, Settings::integer,
            same(), ServerConfig.DISABLED, "off (`-1`; RabbitMQ's is `8883`)",
            "MQTT over TLS 1.2/1.3 with the AMQPS certificate (`tls-cert`, `tls-key`)");
    public static final Setting<String> MQTT_VHOST = define("mqtt-vhost", "VHOST", String.class, s -> s, same(), "/",
            null, "vhost of MQTT clients whose user name does not name one (`vhost:user`)");
    public static final Setting<String> MQTT_EXCHANGE = define("mqtt-exchange", "NAME", String.class, s -> s, same(),
            "amq.topic", null, "topic exchange MQTT messages are published to and subscriptions bind to");
    public static final Setting<Long> MQTT_MAX_PACKET_SIZE = longValue("mqtt-max-packet-size", "BYTES",
            256L * 1024 * 1024, value -> requireAtLeast(value, 1, "mqtt max packet size must be positive: "),
            "`268435456` (256 MiB, RabbitMQ's)", "largest MQTT packet accepted; a bigger one closes the connection");
    public static final Setting<Integer> MQTT_PREFETCH = define("mqtt-prefetch", "N", Integer.class,
            Settings::integer, nonNegative("mqtt prefetch", ""), 10, null,
            "QoS 1/2 messages sent to one subscriber and not yet acknowledged (RabbitMQ's `mqtt.prefetch`)");
    public static final Setting<Boolean> MQTT_ALLOW_ANONYMOUS = switchOf("mqtt-allow-anonymous",
            "let MQTT clients without a user name in as `guest` (RabbitMQ allows it by default; `guest` is still "
                    + "loopback-only)");
    public static final Setting<String> NODE_NAME = define("node-name", "NAME", String.class, s -> s,
            Settings::nodeName, "ferrymq@" + shortHostName(), "`ferrymq@` and the host name up to the first dot",
            "this node's name: in the management API (`node`, `/api/nodes`) and, in a cluster, among the other "
                    + "nodes (it must match this node's entry in `cluster-seeds`)");
    public static final Setting<Integer> CLUSTER_PORT = integer("cluster-port", "N", 7800,
            "port the other cluster nodes reach this one on (Apache Ratis); only with `cluster-seeds`");
    public static final Setting<String> CLUSTER_SEEDS = define("cluster-seeds", "NODES", String.class, s -> s,
            Settings::clusterSeeds, null, "none: a single node, no cluster port",
            "`name@host:port,...`: the nodes that form the cluster on first start (this node among them), or, for "
                    + "a node that is not among them, the cluster it waits to be added to. See "
                    + "[cluster.md](cluster.md)");
    public static final Setting<String> LOG_LEVEL = define("log-level", "LEVEL", String.class, s -> s,
            Settings::logLevel, "INFO", null, "`TRACE`, `DEBUG`, `INFO`, `WARN` or `ERROR`");
    public static final Setting<String> LOG_FORMAT = define("log-format", "FORMAT", String.class, s -> s,
            Settings::logFormat, "text", null, "`text` or `json` (one JSON object per line, logback's `JsonEncoder`)");

    private Settings() {
    }

    /** Every setting, in the documented order. */
    public static List<Setting<?>> all() {
        return Collections.unmodifiableList(ALL);
    }

    /** The setting of a config-file key, or null. */
    public static Setting<?> byKey(String key) {
        for (Setting<?> setting : ALL) {
            if (setting.key().equals(key)) {
                return setting;
            }
        }
        return null;
    }

    /**
     * Defines a setting. {@code defaultDoc} null shows the default value in backticks; "" shows nothing (no
     * default).
     */
    private static <T> Setting<T> define(String key, String label, Class<T> type, Function<String, T> parser,
                                         UnaryOperator<T> check, T defaultValue, String defaultDoc, String doc) {
        Setting<T> setting = new Setting<>(ALL.size(), key, label, type, parser, check, defaultValue,
                defaultDoc != null ? defaultDoc : "`" + defaultValue + "`", doc);
        ALL.add(setting);
        return setting;
    }

    private static Setting<Integer> integer(String key, String label, int defaultValue, String doc) {
        return define(key, label, Integer.class, Settings::integer, same(), defaultValue, null, doc);
    }

    private static Setting<Long> longValue(String key, String label, long defaultValue, UnaryOperator<Long> check,
                                           String defaultDoc, String doc) {
        return define(key, label, Long.class, Settings::longInteger, check, defaultValue, defaultDoc, doc);
    }

    /** A count limit: 0 means none, negative is refused. */
    private static Setting<Integer> limit(String key, String what, String doc) {
        return define(key, "N", Integer.class, Settings::integer, nonNegative(what, " (0 = unlimited)"), 0,
                "`0` (unlimited)", doc);
    }

    private static Setting<Boolean> switchOf(String key, String doc) {
        return define(key, "", Boolean.class, Settings::bool, same(), false, null, doc);
    }

    private static <T> UnaryOperator<T> same() {
        return value -> value;
    }

    private static UnaryOperator<Integer> nonNegative(String what, String zeroMeans) {
        return value -> {
            if (value < 0) {
                throw new IllegalArgumentException(what + " must not be negative" + zeroMeans + ": " + value);
            }
            return value;
        };
    }

    private static long requireAtLeast(long value, long least, String message) {
        if (value < least) {
            throw new IllegalArgumentException(message + value);
        }
        return value;
    }

    private static int integer(String value) {
        return number(value, Integer::valueOf, "not a whole number");
    }

    private static long longInteger(String value) {
        return number(value, Long::valueOf, "not a whole number");
    }

    private static double decimal(String value) {
        return number(value, Double::valueOf, "not a number");
    }

    private static <T> T number(String value, Function<String, T> parse, String notOne) {
        try {
            return parse.apply(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(notOne);
        }
    }

    private static boolean bool(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("must be true or false");
        };
    }

    private static double fraction(double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException("memory high watermark must be a fraction in [0, 1], not " + value);
        }
        return value;
    }

    static FsyncPolicy fsyncPolicy(String value) {
        try {
            return FsyncPolicy.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("fsync must be 'always' or 'periodic', not '" + value + "'");
        }
    }

    static PeerVerification verification(String value) {
        try {
            return PeerVerification.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tls-verify must be none, optional or required, not '" + value + "'");
        }
    }

    private static String nodeName(String value) {
        String name = value.trim();
        if (name.isEmpty() || name.chars().anyMatch(c -> c == ',' || Character.isWhitespace(c))) {
            throw new IllegalArgumentException("a node name must not be empty or contain commas or spaces");
        }
        return name;
    }

    private static String clusterSeeds(String value) {
        if (NodeAddress.parseList(value).isEmpty()) { // which throws IllegalArgumentException for a bad entry
            throw new IllegalArgumentException("no nodes listed (name@host:port,...)");
        }
        return value.trim();
    }

    /**
     * The host name up to its first dot (RabbitMQ's short node names), or {@code localhost} if it is unknown. On
     * Linux it is read from the kernel, since {@link InetAddress#getLocalHost()} also resolves the name, which can
     * take seconds with a broken resolver, and every {@code ferrymq} command loads this table.
     */
    private static String shortHostName() {
        String host;
        try {
            host = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException | RuntimeException e) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (IOException unknown) {
                host = "";
            }
        }
        int dot = host.indexOf('.');
        String shortName = dot > 0 ? host.substring(0, dot) : host;
        return shortName.isBlank() || shortName.chars().anyMatch(c -> c == ',' || Character.isWhitespace(c))
                ? "localhost" : shortName;
    }

    private static String logLevel(String value) {
        String level = value.trim().toUpperCase(Locale.ROOT);
        if (!List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR").contains(level)) {
            throw new IllegalArgumentException("log level must be TRACE, DEBUG, INFO, WARN or ERROR");
        }
        return level;
    }

    private static String logFormat(String value) {
        String format = value.trim().toLowerCase(Locale.ROOT);
        if (!List.of("text", "json").contains(format)) {
            throw new IllegalArgumentException("log format must be text or json");
        }
        return format;
    }
}
