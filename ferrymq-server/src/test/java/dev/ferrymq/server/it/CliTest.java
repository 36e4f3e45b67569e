package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymq.server.cli.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The ferrymq management subcommands against the broker under test (they use its management API). */
class CliTest extends AbstractBrokerIT {
    @TempDir
    Path dir;

    private CliRunner.Run ferrymq(String... args) {
        return CliRunner.ferrymq(broker.server().managementPort(), args);
    }

    @Test
    void declarePublishListConsumeDelete() {
        String q = queueToDelete(unique("cli"));
        assertThat(ferrymq("declare", "queue", q).exitCode()).isZero();
        String uri = "amqp://guest:guest@127.0.0.1:" + broker.port();
        assertThat(CliRunner.run("", "publish", "--uri", uri, "--routing-key", q, "hello cli").exitCode()).isZero();
        assertThat(CliRunner.run("", "publish", "--uri", uri, "--routing-key", q, "second").exitCode()).isZero();
        assertThat(ferrymq("list", "queues").out()).contains(q + "\t2\t0\ttrue");
        CliRunner.Run consumed = CliRunner.run("", "consume", q, "--count", "2", "--ack", "--uri", uri);
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
