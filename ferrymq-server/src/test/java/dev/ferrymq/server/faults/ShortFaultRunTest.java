package dev.ferrymq.server.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault campaign's short run in the default suite: three node processes, a quorum queue under publishers with
 * confirms and consumers with manual acks, and about 40 s of faults: SIGSTOP of a random node or the leader, and
 * partitions (minority/majority, the leader alone, a bridge). Where this machine cannot build network namespaces
 * (not root, no {@code ip}), the partitions are left out and the run says so on standard output; pauses still run.
 *
 * <p>kill -9 is not in the default set yet: the campaign's kill runs also lost a few messages published in the
 * first seconds, before any fault, which is not explained yet (docs/cluster.md, "What the fault campaign covers";
 * the restarted node that did not serve its queues, {@code QuorumQueueAfterRestartTest}, is fixed).
 * {@code -Dferrymq.faults.nemesis=mixed} runs every nemesis
 * (names in {@link Nemesis#named}). The long campaign is {@link FaultCampaign} ({@code bench/faults/run.sh}).
 */
class ShortFaultRunTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void nothingConfirmedIsLostWhileNodesArePausedAndCutOff() throws Exception {
        long seed = Long.getLong("ferrymq.faults.seed", System.currentTimeMillis());
        System.out.println("[faults] seed " + seed + " (-Dferrymq.faults.seed=" + seed + " repeats the nemeses)");
        String nemesis = System.getProperty("ferrymq.faults.nemesis", "pause+partition");
        FaultRun.Config config = new FaultRun.Config(3, nemesis, Duration.ofSeconds(40), Duration.ofSeconds(4),
                Duration.ofSeconds(4), Duration.ofSeconds(7), seed, Workload.Settings.quorum(),
                Duration.ofSeconds(60));

        FaultRun.Result result = FaultRun.run(config, dir);

        if (!result.skipped().isEmpty()) {
            System.out.println("[faults] NOTE: " + result.skipped());
        }
        Checker.Verdict verdict = result.verdict();
        assertThat(result.faults()).as("faults injected").isGreaterThanOrEqualTo(2);
        assertThat(verdict.confirmed()).as("confirmed messages").isPositive();
        assertThat(verdict.lostSample()).as("lost: confirmed, never delivered").isEmpty();
        assertThat(verdict.unexpectedSample()).as("unexpected: delivered, never published").isEmpty();
        assertThat(result.drained()).as("everything confirmed delivered within the drain").isTrue();
    }
}
