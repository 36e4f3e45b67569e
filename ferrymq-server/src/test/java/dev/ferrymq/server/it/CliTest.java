package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymq.server.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The ferrymq client subcommands against the broker under test (they use its management API). */
class CliTest extends AbstractBrokerIT {
    @TempDir
    Path dir;

    private record Run(int exitCode, String out) {
    }

    private Run ferrymq(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            String[] all = new String[args.length + 2];
            System.arraycopy(args, 0, all, 0, args.length);
            all[args.length] = "--management-url";
            all[args.length + 1] = "http://127.0.0.1:" + broker.server().managementPort();
            int code = new CommandLine(new Main()).execute(all);
            return new Run(code, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
    }

    @Test
    void declarePublishListConsumeDelete() {
        String q = queueToDelete(unique("cli"));
        assertThat(ferrymq("declare", "queue", q).exitCode()).isZero();
        assertThat(ferrymq("publish", "--routing-key", q, "hello cli").exitCode()).isZero();
        assertThat(ferrymq("publish", "--routing-key", q, "second").exitCode()).isZero();
        assertThat(ferrymq("list", "queues").out()).contains(q + "\t2\t0\ttrue");
        Run consumed = ferrymq("consume", q, "--count", "2", "--ack");
        assertThat(consumed.out()).isEqualTo("hello cli\nsecond\n");
        assertThat(ferrymq("status").out()).contains("FerryMQ").contains("queues:");
        assertThat(ferrymq("delete", "queue", q).exitCode()).isZero();
        assertThat(ferrymq("list", "queues").out()).doesNotContain(q);
    }

    @Test
    void definitionsExportAndImport() throws Exception {
        Path file = dir.resolve("defs.json");
        assertThat(ferrymq("export-definitions", file.toString()).exitCode()).isZero();
        assertThat(Files.readString(file)).contains("\"users\"").contains("\"guest\"");
        assertThat(ferrymq("import-definitions", file.toString()).exitCode()).isZero();
    }

    @Test
    void errorsGiveNonZeroExitCodes() {
        assertThat(ferrymq("delete", "thing", "x").exitCode()).isEqualTo(1);
        assertThat(ferrymq("purge", "no-such-queue-" + unique("q")).exitCode()).isEqualTo(1);
        int unreachable = new CommandLine(new Main()).execute("status", "--management-url", "http://127.0.0.1:1");
        assertThat(unreachable).isEqualTo(2);
    }
}
