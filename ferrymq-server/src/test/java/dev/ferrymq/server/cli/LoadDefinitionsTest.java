package dev.ferrymq.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code load-definitions}: a file that cannot be applied ends {@code ferrymq server} with one line naming it. */
class LoadDefinitionsTest {
    @TempDir
    Path dir;

    @Test
    void aMissingDefinitionsFileEndsTheServerCommandWithOneLine() {
        Path missing = dir.resolve("missing.json");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        int status;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            status = new CommandLine(new Main()).execute("server", "--bind", "127.0.0.1", "--amqp-port", "0",
                    "--management-port", "-1", "--data-dir", dir.resolve("data").toString(),
                    "--load-definitions", missing.toString());
        } finally {
            System.setErr(originalErr);
        }
        assertThat(status).isEqualTo(ServerCommand.BAD_SETTING);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("ferrymq: definitions file " + missing
                + " cannot be read: no such file" + System.lineSeparator());
    }
}
