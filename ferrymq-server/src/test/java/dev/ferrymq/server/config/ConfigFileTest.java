package dev.ferrymq.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferrymq.server.tls.TlsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    void refusesInvalidValues() {
        assertThatThrownBy(() -> ServerConfig.defaults().with(Settings.MEMORY_HIGH_WATERMARK, 1.5))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ServerConfig.defaults().with(Settings.MAX_CONNECTIONS, -1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Settings.verification("sometimes"))
                .hasMessageContaining("none, optional or required");
        assertThatThrownBy(() -> TlsSettings.pem(Path.of("cert.pem"), null))
                .hasMessageContaining("private key");
    }
}
