package dev.ferrymq.server.config;

import dev.ferrymq.store.FsyncPolicy;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The settings below the command line: a config file of {@code key = value} lines (java.util.Properties syntax)
 * and environment variables {@code FERRYMQ_<KEY>} (the key upper-cased, '-' as '_': {@code FERRYMQ_AMQP_PORT}).
 * Precedence, lowest first: defaults, file, environment, flags. docs/config.md lists every key.
 */
public final class ConfigSources {
    /** Every setting's key, in the order docs/config.md lists them. */
    static final List<String> KEYS = List.of("bind", "amqp-port", "data-dir", "fsync", "group-commit-delay-us",
            "io-threads", "frame-max", "channel-max", "heartbeat", "max-message-size", "consumer-timeout",
            "handshake-timeout",
            "max-connections", "max-connections-per-vhost", "max-connections-per-user", "max-queues-per-vhost",
            "memory-high-watermark", "disk-free-limit", "amqps-port", "tls-cert", "tls-key", "tls-password",
            "tls-ca", "tls-verify", "management-port", "management-tls", "line-port", "line-exchange", "line-routing-key", "line-ack",
            "log-level", "log-format");

    /** The config file used when no --config is given and FERRYMQ_CONFIG is unset, if it exists. */
    static final Path DEFAULT_FILE = Path.of("ferrymq.conf");

    private ConfigSources() {
    }

    /**
     * Defaults, then the config file (the given one; else FERRYMQ_CONFIG; else ./ferrymq.conf if it exists),
     * then the environment's FERRYMQ_ variables.
     */
    public static ServerConfig load(Path configFile, Map<String, String> env) throws IOException {
        Path file = configFile;
        if (file == null && env.get("FERRYMQ_CONFIG") != null) {
            file = Path.of(env.get("FERRYMQ_CONFIG"));
        }
        if (file == null && Files.isRegularFile(DEFAULT_FILE)) {
            file = DEFAULT_FILE;
        }
        // Limit, alarm and TLS keys are collected across both sources (TLS needs its keys together).
        SecurityOptions security = new SecurityOptions();
        ServerConfig config = file == null ? ServerConfig.defaults()
                : loadFile(ServerConfig.defaults(), file, security);
        return security.applyTo(applyEnvironment(config, env, security));
    }

    static ServerConfig loadFile(ServerConfig config, Path file) throws IOException {
        SecurityOptions security = new SecurityOptions();
        return security.applyTo(loadFile(config, file, security));
    }

    private static ServerConfig loadFile(ServerConfig config, Path file, SecurityOptions security)
            throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        }
        for (String key : properties.stringPropertyNames()) {
            config = apply(config, key, properties.getProperty(key), "'" + key + "' in " + file, security);
        }
        return config;
    }

    static ServerConfig applyEnvironment(ServerConfig config, Map<String, String> env) {
        SecurityOptions security = new SecurityOptions();
        return security.applyTo(applyEnvironment(config, env, security));
    }

    private static ServerConfig applyEnvironment(ServerConfig config, Map<String, String> env,
                                                 SecurityOptions security) {
        for (String key : KEYS) {
            String variable = environmentVariable(key);
            String value = env.get(variable);
            if (value != null) {
                config = apply(config, key, value, variable, security);
            }
        }
        return config;
    }

    public static String environmentVariable(String key) {
        return "FERRYMQ_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** One setting; {@code source} names where it came from for error messages. */
    static ServerConfig apply(ServerConfig config, String key, String rawValue, String source) {
        SecurityOptions security = new SecurityOptions();
        return security.applyTo(apply(config, key, rawValue, source, security));
    }

    /** One setting; limit, alarm and TLS keys go to {@code security}, applied by the caller at the end. */
    private static ServerConfig apply(ServerConfig config, String key, String rawValue, String source,
                                      SecurityOptions security) {
        String value = rawValue.trim();
        try {
            return switch (key) {
                case "amqp-port" -> config.withAmqpPort(Integer.parseInt(value));
                case "bind" -> config.withBind(value);
                case "data-dir" -> config.withDataDir(Path.of(value));
                case "frame-max" -> config.withFrameMax(Integer.parseInt(value));
                case "channel-max" -> config.withChannelMax(Integer.parseInt(value));
                case "heartbeat" -> config.withHeartbeatSeconds(Integer.parseInt(value));
                case "max-message-size" -> config.withMaxMessageSize(Long.parseLong(value));
                case "fsync" -> config.withFsync(fsyncPolicy(value));
                case "group-commit-delay-us" -> config.withGroupCommitDelayMicros(Long.parseLong(value));
                case "io-threads" -> config.withIoThreads(Integer.parseInt(value));
                case "management-port" -> config.withManagementPort(Integer.parseInt(value));
                case "management-tls" -> config.withManagementTls(Boolean.parseBoolean(value));
                case "line-port" -> config.withLinePort(Integer.parseInt(value));
                case "line-exchange" -> config.withLineExchange(value);
                case "line-routing-key" -> config.withLineRoutingKey(value);
                case "line-ack" -> config.withLineAck(Boolean.parseBoolean(value));
                case "log-level" -> config.withLogLevel(value);
                case "log-format" -> config.withLogFormat(value);
                case "consumer-timeout" -> config.withConsumerTimeoutMillis(Long.parseLong(value));
                default -> {
                    ServerConfig changed = security.applyKey(config, key, value);
                    if (changed == null) {
                        throw new IllegalArgumentException("unknown setting");
                    }
                    yield changed;
                }
            };
        } catch (IllegalArgumentException e) { // NumberFormatException too
            throw new IllegalArgumentException("bad setting " + source + " = '" + value + "': " + e.getMessage());
        }
    }

    public static FsyncPolicy fsyncPolicy(String value) {
        try {
            return FsyncPolicy.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("fsync must be 'always' or 'periodic', not '" + value + "'");
        }
    }
}
