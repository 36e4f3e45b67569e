package dev.ferrymq.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferrymq.server.tls.TlsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Limit, alarm and TLS settings from the config file and the command line. */
class ConfigFileTest {

    @Test
    void readsLimitAlarmAndTlsKeys(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ferrymq.conf");
        Files.writeString(file, String.join("\n",
                "max-connections = 1000", "max-connections-per-vhost = 100", "max-connections-per-user = 10",
                "max-queues-per-vhost = 5000", "memory-high-watermark = 0.4", "disk-free-limit = 1000000",
                "handshake-timeout = 5", "tls-cert = server.p12", "tls-password = secret", "tls-ca = ca.pem",
                "tls-verify = required"));
        ServerConfig config = ConfigSources.loadFile(ServerConfig.defaults(), file);
        assertThat(config.maxConnections()).isEqualTo(1000);
        assertThat(config.maxConnectionsPerVhost()).isEqualTo(100);
        assertThat(config.maxConnectionsPerUser()).isEqualTo(10);
        assertThat(config.maxQueuesPerVhost()).isEqualTo(5000);
        assertThat(config.memoryHighWatermark()).isEqualTo(0.4);
        assertThat(config.diskFreeLimit()).isEqualTo(1_000_000);
        assertThat(config.handshakeTimeoutSeconds()).isEqualTo(5);
        assertThat(config.tls().certificate()).isEqualTo(Path.of("server.p12"));
        assertThat(config.tls().peerVerification()).isEqualTo(TlsSettings.PeerVerification.REQUIRED);
        assertThat(config.amqpsPort()).as("5671 once a certificate is configured").isEqualTo(5671);
    }

    @Test
    void defaultsHaveNoTlsAndRabbitMqLikeAlarms() {
        ServerConfig config = ServerConfig.defaults();
        assertThat(config.amqpsPort()).isEqualTo(-1);
        assertThat(config.memoryHighWatermark()).isEqualTo(0.6);
        assertThat(config.diskFreeLimit()).isEqualTo(50L * 1024 * 1024);
        assertThat(config.maxConnections()).isZero();
    }

    @Test
    void commandLineFlagsApplyOnTopOfTheFile() {
        SecurityOptions options = new SecurityOptions();
        new CommandLine(options).parseArgs("--max-queues-per-vhost", "7", "--tls-cert", "a.pem", "--tls-key", "a.key",
                "--amqps-port", "0");
        ServerConfig config = options.applyTo(ServerConfig.defaults().withMaxQueuesPerVhost(3));
        assertThat(config.maxQueuesPerVhost()).isEqualTo(7);
        assertThat(config.amqpsPort()).isZero();
        assertThat(config.tls().privateKey()).isEqualTo(Path.of("a.key"));
    }

    @Test
    void refusesInvalidValues() {
        assertThatThrownBy(() -> ServerConfig.defaults().withMemoryHighWatermark(1.5))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ServerConfig.defaults().withMaxConnections(-1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SecurityOptions.verification("sometimes"))
                .hasMessageContaining("none, optional or required");
        assertThatThrownBy(() -> TlsSettings.pem(Path.of("cert.pem"), null))
                .hasMessageContaining("private key");
    }
}
