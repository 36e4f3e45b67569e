package dev.ferrymq.cluster.quorum;

import static dev.ferrymq.cluster.quorum.QueueDriver.consumer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotCodecTest {
    private final ConsumerId c1 = consumer("n1", "c1");
    private final ConsumerId c2 = consumer("n2", "c2");

    /** A queue in the middle of things: config, expiring, returned, high-priority and held messages. */
    private QueueDriver busyQueue() {
        QueueDriver queue = new QueueDriver()
                .configure(new QueueConfig(3, 100, -1, Overflow.DROP_HEAD, 60_000, false));
        queue.apply(new QueueCommand.Checkout(c1, 2, 1, false));
        queue.consume(c2, 1);
        for (int i = 0; i < 10; i++) {
            queue.publish("m" + i, i % 7, i == 4 ? 10 : -1);
        }
        long held = queue.takeDeliveries().get(0).messageId();
        queue.requeue(c1, held);
        queue.time += 5;
        return queue;
    }

    @Test
    void restoredStateEncodesToTheSameBytes() {
        QueueDriver queue = busyQueue();

        QueueDriver copy = queue.restoredCopy();

        assertThat(copy.snapshot()).isEqualTo(queue.snapshot());
        assertThat(copy.state.readyCount()).isEqualTo(queue.state.readyCount());
        assertThat(copy.state.readyBytes()).isEqualTo(queue.state.readyBytes());
        assertThat(copy.state.checkedOutBy(c1)).isEqualTo(queue.state.checkedOutBy(c1));
    }

    @Test
    void aReplicaRestoredMidStreamProducesTheSameEffectsAsTheOriginal() {
        QueueDriver original = busyQueue();
        QueueDriver restored = original.restoredCopy();
        List<QueueCommand> rest = List.of(
                new QueueCommand.Enqueue(QueueDriver.PUBLISHER, 99, 0, -1, new byte[] {42}),
                new QueueCommand.Enqueue(QueueDriver.PUBLISHER, 3, 0, -1, new byte[] {1}),
                new QueueCommand.Settle(c1, List.of(2L, 3L)),
                new QueueCommand.Return(c2, List.of(1L, 5L)),
                new QueueCommand.Discard(c1, List.of(6L, 7L)),
                new QueueCommand.Checkout(consumer("n3", "late"), 0, 0, false),
                new QueueCommand.NodeDown("n1"),
                new QueueCommand.Purge());

        for (QueueCommand command : rest) {
            original.effects.clear();
            restored.effects.clear();
            Reply expected = original.apply(command);
            Reply actual = restored.apply(command);
            original.time += 20_000;
            restored.time += 20_000;

            assertThat(actual).as("reply to %s", command).isEqualTo(expected);
            assertThat(QueueDriver.describe(restored.effects)).as("effects of %s", command)
                    .isEqualTo(QueueDriver.describe(original.effects));
        }
        assertThat(restored.snapshot()).isEqualTo(original.snapshot());
    }

    @Test
    void theQueuesDeclarationSurvivesASnapshot() {
        QueueDriver queue = new QueueDriver();
        assertThat(queue.restoredCopy().state.declared()).isNull();
        queue.apply(new QueueCommand.Declare("vh", "orders", new byte[] {4, 2}, QueueConfig.DEFAULT));

        Effect.Declared declared = queue.restoredCopy().state.declared();

        assertThat(declared.vhost()).isEqualTo("vh");
        assertThat(declared.name()).isEqualTo("orders");
        assertThat(declared.arguments()).containsExactly(4, 2);
    }

    @Test
    void deduplicationSurvivesASnapshot() {
        QueueDriver queue = new QueueDriver();
        QueueCommand.Enqueue enqueue = new QueueCommand.Enqueue(QueueDriver.PUBLISHER, 5, 0, -1, new byte[] {1});
        queue.apply(enqueue);

        assertThat(queue.restoredCopy().apply(enqueue).code()).isEqualTo(Reply.Code.DUPLICATE);
    }

    @Test
    void truncatedOrCorruptSnapshotsAreRefused() {
        byte[] bytes = busyQueue().snapshot();
        byte[] truncated = Arrays.copyOf(bytes, bytes.length - 3);
        byte[] badVersion = bytes.clone();
        badVersion[0] = 9;

        assertThatThrownBy(() -> SnapshotCodec.read(new ByteArrayInputStream(truncated), truncated.length))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> SnapshotCodec.read(new ByteArrayInputStream(badVersion), badVersion.length))
                .isInstanceOf(IOException.class).hasMessageContaining("version");
    }
}
