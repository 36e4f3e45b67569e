package dev.ferrymq.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferrymq.store.FsyncPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigSourcesTest {
    @TempDir
    Path dir;

    @Test
    void environmentOverridesTheFileWhichOverridesDefaults() throws Exception {
        Path file = Files.writeString(dir.resolve("ferrymq.conf"),
                "# comment\namqp-port = 5673\nbind = 127.0.0.1\nfsync = periodic\nlog-format = json\n");
        ServerConfig config = ConfigSources.load(file, Map.of("FERRYMQ_AMQP_PORT", "5674",
                "FERRYMQ_LINE_ROUTING_KEY", "lines", "FERRYMQ_LOG_LEVEL", "debug", "FERRYMQ_JAVA_OPTS", "-Xmx1g"));

        assertThat(config.amqpPort()).isEqualTo(5674);
        assertThat(config.bind()).isEqualTo("127.0.0.1");
        assertThat(config.fsync()).isEqualTo(FsyncPolicy.PERIODIC);
        assertThat(config.lineRoutingKey()).isEqualTo("lines");
        assertThat(config.logLevel()).isEqualTo("DEBUG");
        assertThat(config.logFormat()).isEqualTo("json");
        assertThat(config.managementPort()).isEqualTo(ServerConfig.DEFAULT_MANAGEMENT_PORT);
    }

    @Test
    void theConfigFileCanBeNamedInTheEnvironment() throws Exception {
        Path file = Files.writeString(dir.resolve("other.conf"), "management-port = -1\n");
        assertThat(ConfigSources.load(null, Map.of("FERRYMQ_CONFIG", file.toString())).managementPort())
                .isEqualTo(ServerConfig.DISABLED);
    }

    @Test
    void everyKeyHasAnEnvironmentVariableAndAFlag() throws Exception {
        assertThat(Settings.GROUP_COMMIT_DELAY_US.environmentVariable()).isEqualTo("FERRYMQ_GROUP_COMMIT_DELAY_US");
        assertThat(Settings.GROUP_COMMIT_DELAY_US.flag()).isEqualTo("--group-commit-delay-us");
        for (Setting<?> setting : Settings.all()) {
            assertThat(ConfigSources.load(null, Map.of()).get(setting)).as(setting.key())
                    .isEqualTo(setting.defaultValue());
            assertThat(Settings.byKey(setting.key())).isSameAs(setting);
        }
    }

    @Test
    void ioThreadsDefaultsToHalfTheProcessorsAndCanBeSet() throws Exception {
        int processors = Runtime.getRuntime().availableProcessors();
        assertThat(ServerConfig.defaults().ioThreads()).isBetween(1, Math.max(1, processors / 2));
        assertThat(ConfigSources.load(null, Map.of("FERRYMQ_IO_THREADS", "3")).ioThreads()).isEqualTo(3);
        assertThatThrownBy(() -> ConfigSources.load(null, Map.of("FERRYMQ_IO_THREADS", "-1")))
                .hasMessageContaining("FERRYMQ_IO_THREADS");
    }

    @Test
    void badSettingsNameTheirSource() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.conf"), "amqp-prot = 1\n");
        assertThatThrownBy(() -> ConfigSources.load(file, Map.of()))
                .hasMessageContaining("'amqp-prot' in " + file).hasMessageContaining("unknown setting");
        assertThatThrownBy(() -> ConfigSources.load(null, Map.of("FERRYMQ_HEARTBEAT", "ten")))
                .hasMessageContaining("FERRYMQ_HEARTBEAT");
        assertThatThrownBy(() -> ConfigSources.load(null, Map.of("FERRYMQ_LOG_FORMAT", "xml")))
                .hasMessageContaining("text or json");
    }
}
