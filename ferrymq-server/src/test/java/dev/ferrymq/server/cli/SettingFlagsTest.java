package dev.ferrymq.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferrymq.server.config.ConfigSources;
import dev.ferrymq.server.config.ServerConfig;
import dev.ferrymq.server.config.Setting;
import dev.ferrymq.server.config.SettingException;
import dev.ferrymq.server.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;

class SettingFlagsTest {
    @TempDir
    Path dir;

    private static ParseResult parseServer(String... args) {
        return new CommandLine(new Main()).parseArgs(args).subcommand();
    }

    @Test
    void everySettingIsAFlagOfTheServerCommand() {
        CommandSpec server = new CommandLine(new Main()).getSubcommands().get("server").getCommandSpec();
        for (Setting<?> setting : Settings.all()) {
            assertThat(server.findOption(setting.flag())).as(setting.flag()).isNotNull();
        }
        assertThat(server.findOption("--config")).isNotNull();
    }

    @Test
    void flagsWinOverTheEnvironmentWhichWinsOverTheFile() throws Exception {
        Path file = Files.writeString(dir.resolve("ferrymq.conf"),
                "max-queues-per-vhost = 3\nheartbeat = 5\nline-port = 7\ntls-key = a.key\n");
        ParseResult parsed = parseServer("server", "--max-queues-per-vhost", "7", "--tls-cert", "a.pem",
                "--amqps-port", "0", "--line-ack");
        ServerConfig config = ConfigSources.load(file, Map.of("FERRYMQ_HEARTBEAT", "9", "FERRYMQ_LINE_PORT", "8",
                "FERRYMQ_MAX_QUEUES_PER_VHOST", "4"), SettingFlags.given(parsed));
        assertThat(config.maxQueuesPerVhost()).isEqualTo(7);
        assertThat(config.heartbeatSeconds()).isEqualTo(9);
        assertThat(config.linePort()).isEqualTo(8);
        assertThat(config.lineAck()).as("a switch without a value").isTrue();
        assertThat(config.amqpsPort()).isZero();
        assertThat(config.tls().privateKey()).as("the file's key with the flag's certificate")
                .isEqualTo(Path.of("a.key"));
    }

    @Test
    void aSwitchTakesAnExplicitValue() throws Exception {
        ParseResult parsed = parseServer("server", "--line-ack=false", "--management-tls", "false");
        assertThat(SettingFlags.given(parsed)).containsEntry(Settings.LINE_ACK, "false")
                .containsEntry(Settings.MANAGEMENT_TLS, "false");
    }

    @Test
    void aBadFlagValueNamesTheFlag() {
        ParseResult parsed = parseServer("server", "--amqp-port", "abc");
        assertThatThrownBy(() -> ConfigSources.load(null, Map.of(), SettingFlags.given(parsed)))
                .isInstanceOf(SettingException.class)
                .hasMessage("bad setting --amqp-port = 'abc': not a whole number");
    }

    @Test
    void theHelpOfAFlagIsItsDocumentationInPlainText() {
        assertThat(SettingFlags.help(Settings.FSYNC)).contains("See storage.md").doesNotContain("`")
                .endsWith("(default always); FERRYMQ_FSYNC.");
    }
}
