package dev.ferrymq.server.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Five kill -9 cycles of one broker under publishers with confirms and transactional consumers on a classic
 * durable queue: nothing confirmed lost, no settled ack resurrected. The 100-cycle run is
 * {@code bench/faults/run.sh --single-node-cycles 100}.
 */
class SingleNodeKillCyclesTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void nothingConfirmedIsLostAndNoSettledAckComesBackOverKill9Cycles() throws Exception {
        long seed = Long.getLong("ferrymq.faults.seed", System.currentTimeMillis());
        System.out.println("[faults] seed " + seed);

        SingleNodeKillCycles.Result result = SingleNodeKillCycles.run(SingleNodeKillCycles.Config.of(5, 1024, seed),
                dir);

        Checker.Verdict verdict = result.verdict();
        assertThat(verdict.confirmed()).as("confirmed messages").isPositive();
        assertThat(verdict.lostSample()).as("lost: confirmed, never delivered").isEmpty();
        assertThat(verdict.unexpectedSample()).as("unexpected: delivered, never published").isEmpty();
        assertThat(verdict.resurrectedSample()).as("resurrected: delivered again after tx.commit-ok of its ack")
                .isEmpty();
        assertThat(result.drained()).as("everything confirmed delivered within the drain").isTrue();
    }
}
