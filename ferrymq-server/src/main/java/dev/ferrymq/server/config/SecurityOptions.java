package dev.ferrymq.server.config;

import dev.ferrymq.server.tls.TlsSettings;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Command-line flags and config-file keys for limits, resource alarms and TLS (a picocli mixin of
 * {@code ferrymq server}). Flags left unset keep the config file's or the default value.
 */
public final class SecurityOptions {
    @Option(names = "--max-connections", paramLabel = "N", description = "Most open client sockets (0 = no limit).")
    Integer maxConnections;

    @Option(names = "--max-connections-per-vhost", paramLabel = "N",
            description = "Most connections per virtual host (0 = no limit).")
    Integer maxConnectionsPerVhost;

    @Option(names = "--max-connections-per-user", paramLabel = "N",
            description = "Most connections per user (0 = no limit).")
    Integer maxConnectionsPerUser;

    @Option(names = "--max-queues-per-vhost", paramLabel = "N", description = "Most queues per vhost (0 = no limit).")
    Integer maxQueuesPerVhost;

    @Option(names = "--max-message-size", paramLabel = "BYTES", description = "Largest message body (default 128 MB).")
    Long maxMessageSize;

    @Option(names = "--memory-high-watermark", paramLabel = "FRACTION",
            description = "Block publishers when live heap + direct memory exceeds this fraction of the max heap "
                    + "(default 0.6; 0 disables).")
    Double memoryHighWatermark;

    @Option(names = "--disk-free-limit", paramLabel = "BYTES",
            description = "Block publishers when the data dir's disk has less free space (default 52428800 "
                    + "= 50 MiB; 0 disables).")
    Long diskFreeLimit;

    @Option(names = "--amqps-port", paramLabel = "N",
            description = "AMQPS port (default 5671 when --tls-cert is given, else off).")
    Integer amqpsPort;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "Server certificate chain: PEM (with --tls-key) or PKCS#12 (.p12/.pfx).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM (PKCS#8) private key of --tls-cert.")
    Path tlsKey;

    @Option(names = "--tls-password", paramLabel = "PASSWORD",
            description = "Password of the PKCS#12 file or the encrypted PEM key.")
    String tlsPassword;

    @Option(names = "--tls-ca", paramLabel = "FILE",
            description = "CA certificates (PEM or PKCS#12) that client certificates must chain to.")
    Path tlsCa;

    @Option(names = "--tls-verify", paramLabel = "MODE",
            description = "Client certificates: none, optional (default with --tls-ca) or required.")
    String tlsVerify;

    /** Applies the flags that were given on top of {@code config}. */
    public ServerConfig applyTo(ServerConfig config) {
        if (maxConnections != null) {
            config = config.withMaxConnections(maxConnections);
        }
        if (maxConnectionsPerVhost != null) {
            config = config.withMaxConnectionsPerVhost(maxConnectionsPerVhost);
        }
        if (maxConnectionsPerUser != null) {
            config = config.withMaxConnectionsPerUser(maxConnectionsPerUser);
        }
        if (maxQueuesPerVhost != null) {
            config = config.withMaxQueuesPerVhost(maxQueuesPerVhost);
        }
        if (maxMessageSize != null) {
            config = config.withMaxMessageSize(maxMessageSize);
        }
        if (memoryHighWatermark != null) {
            config = config.withMemoryHighWatermark(memoryHighWatermark);
        }
        if (diskFreeLimit != null) {
            config = config.withDiskFreeLimit(diskFreeLimit);
        }
        if (amqpsPort != null) {
            config = config.withAmqpsPort(amqpsPort);
        }
        if (tlsCert != null) {
            config = config.withTls(new TlsSettings(tlsCert, tlsKey, tlsPassword, tlsCa,
                    tlsVerify == null ? null : verification(tlsVerify)));
        }
        return config;
    }

    /**
     * Applies one config-file key of this group; returns null for a key it does not know. TLS keys are collected
     * first: {@code tls-cert}, {@code tls-key}, {@code tls-password}, {@code tls-ca}, {@code tls-verify}.
     */
    ServerConfig applyKey(ServerConfig config, String key, String value) {
        switch (key) {
            case "max-connections" -> maxConnections = Integer.parseInt(value);
            case "max-connections-per-vhost" -> maxConnectionsPerVhost = Integer.parseInt(value);
            case "max-connections-per-user" -> maxConnectionsPerUser = Integer.parseInt(value);
            case "max-queues-per-vhost" -> maxQueuesPerVhost = Integer.parseInt(value);
            case "memory-high-watermark" -> memoryHighWatermark = Double.parseDouble(value);
            case "disk-free-limit" -> diskFreeLimit = Long.parseLong(value);
            case "handshake-timeout" -> {
                return config.withHandshakeTimeoutSeconds(Integer.parseInt(value));
            }
            case "amqps-port" -> amqpsPort = Integer.parseInt(value);
            case "tls-cert" -> tlsCert = Path.of(value);
            case "tls-key" -> tlsKey = Path.of(value);
            case "tls-password" -> tlsPassword = value;
            case "tls-ca" -> tlsCa = Path.of(value);
            case "tls-verify" -> tlsVerify = value;
            default -> {
                return null;
            }
        }
        return config;
    }

    static TlsSettings.PeerVerification verification(String value) {
        try {
            return TlsSettings.PeerVerification.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tls-verify must be none, optional or required, not '" + value + "'");
        }
    }
}
