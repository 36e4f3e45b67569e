package dev.ferrymq.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SettingsDocTest {
    private static final Path CONFIG_MD = Path.of("../docs/config.md");

    @Test
    void docsConfigMdListsEverySettingAsTheTableDefinesIt() throws Exception {
        String docs = Files.readString(CONFIG_MD);
        assertThat(SettingsDoc.updated(docs))
                .as("docs/config.md is out of date with Settings.java; regenerate it with "
                        + "java -cp ferrymq-server/target/ferrymq-server.jar dev.ferrymq.server.config.SettingsDoc "
                        + "docs/config.md")
                .isEqualTo(docs);
    }

    @Test
    void theTableHasARowPerSettingWithItsVariableAndFlag() {
        String table = SettingsDoc.table();
        assertThat(table.lines()).hasSize(Settings.all().size() + 2);
        assertThat(table).contains("| `amqp-port` | `FERRYMQ_AMQP_PORT` | `--amqp-port N` | `5672` |")
                .contains("| `line-ack` | `FERRYMQ_LINE_ACK` | `--line-ack` | `false` |")
                .contains("`--fsync always\\|periodic`");
    }
}
