package dev.ferrymq.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Determinism under arbitrary traffic: a replica that joins from a snapshot at a random point must produce
 * the same replies, effects and state as the one that applied everything. Seeds are fixed, so a failure
 * replays.
 */
class RandomisedReplicaTest {
    private static final List<ConsumerId> CONSUMERS = List.of(
            new ConsumerId("n1", 1, 1, "a"), new ConsumerId("n1", 1, 2, "b"),
            new ConsumerId("n2", 4, 1, "c"), new ConsumerId("n3", 9, 1, "d"), new ConsumerId("n2", 4, 1, ""));

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 2026})
    void aReplicaStartedFromASnapshotStaysIdenticalToTheOriginal(long seed) {
        Random random = new Random(seed);
        boolean sac = random.nextBoolean();
        QueueDriver original = new QueueDriver().configure(new QueueConfig(random.nextInt(4), 5 + random.nextInt(20),
                -1, random.nextBoolean() ? Overflow.DROP_HEAD : Overflow.REJECT_PUBLISH, 50 + random.nextInt(500),
                sac));
        QueueDriver replica = null;
        int joinAt = 100 + random.nextInt(300);
        long seq = 0;

        for (int step = 0; step < 600; step++) {
            if (step == joinAt) {
                replica = original.restoredCopy();
            }
            QueueCommand command = randomCommand(random, original.state, ++seq);
            original.effects.clear();
            Reply expected = original.apply(command);
            if (replica != null) {
                replica.effects.clear();
                assertThat(replica.apply(command)).as("step %d: %s", step, command).isEqualTo(expected);
                assertThat(QueueDriver.describe(replica.effects)).as("step %d: %s", step, command)
                        .isEqualTo(QueueDriver.describe(original.effects));
                replica.time += 7;
            }
            original.time += 7;
        }
        assertThat(replica.snapshot()).isEqualTo(original.snapshot());
    }

    private static QueueCommand randomCommand(Random random, QuorumQueueState state, long seq) {
        ConsumerId consumer = CONSUMERS.get(random.nextInt(CONSUMERS.size()));
        List<Long> held = state.checkedOutBy(consumer);
        List<Long> some = new ArrayList<>();
        for (long id : held) {
            if (random.nextBoolean()) {
                some.add(id);
            }
        }
        int kind = random.nextInt(100);
        if (kind < 40) {
            return new QueueCommand.Enqueue(new PublisherId("n" + (1 + random.nextInt(3)), 1, 1), seq,
                    random.nextInt(10), random.nextInt(4) == 0 ? random.nextInt(100) : -1,
                    new byte[random.nextInt(64)]);
        } else if (kind < 50) {
            return new QueueCommand.Checkout(consumer, random.nextInt(4), random.nextInt(3), random.nextInt(20) == 0);
        } else if (kind < 65) {
            return new QueueCommand.Settle(consumer, some);
        } else if (kind < 75) {
            return new QueueCommand.Return(consumer, some);
        } else if (kind < 80) {
            return new QueueCommand.Discard(consumer, some);
        } else if (kind < 84) {
            return new QueueCommand.Dequeue(consumer, random.nextBoolean());
        } else if (kind < 87) {
            return new QueueCommand.Cancel(consumer);
        } else if (kind < 90) {
            return new QueueCommand.ConsumerDown(consumer);
        } else if (kind < 92) {
            return new QueueCommand.NodeDown("n" + (1 + random.nextInt(3)));
        } else if (kind < 95) {
            return new QueueCommand.Credit(consumer, random.nextInt(5));
        } else if (kind < 96) {
            return new QueueCommand.Purge();
        }
        return new QueueCommand.Tick();
    }
}
