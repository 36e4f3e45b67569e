package dev.ferrymq.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A batch entry must leave every replica exactly where the same commands in entries of their own would. */
class BatchApplyTest {
    private static final PublisherId PUBLISHER = new PublisherId("n1", 1, 1);
    private static final ConsumerId CONSUMER = QueueDriver.consumer("n2", "c1");

    /** Enough to cross the limit, a duplicate, a consumer that takes some, an ack and a requeue. */
    private static List<QueueCommand> commands() {
        List<QueueCommand> commands = new ArrayList<>();
        commands.add(new QueueCommand.Configure(new QueueConfig(20, 4, -1, Overflow.REJECT_PUBLISH, -1, false)));
        for (int seq = 1; seq <= 6; seq++) {
            commands.add(enqueue(seq));
        }
        commands.add(enqueue(3));
        commands.add(new QueueCommand.Checkout(CONSUMER, 2, 0, false));
        commands.add(new QueueCommand.Settle(CONSUMER, List.of(1L)));
        commands.add(new QueueCommand.Return(CONSUMER, List.of(2L)));
        commands.add(enqueue(7));
        return commands;
    }

    private static QueueCommand.Enqueue enqueue(int seq) {
        return new QueueCommand.Enqueue(PUBLISHER, seq, 0, -1, ("m" + seq).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aBatchGivesTheSameStateRepliesAndEffectsAsOneEntryPerCommand() throws IOException {
        QuorumQueueState single = new QuorumQueueState();
        List<Reply> singleReplies = new ArrayList<>();
        List<Effect> singleEffects = new ArrayList<>();
        for (QueueCommand command : commands()) {
            ApplyResult result = single.apply(new LogEntry(1_000, command));
            singleReplies.add(result.reply());
            singleEffects.addAll(result.effects());
        }

        QuorumQueueState batched = new QuorumQueueState();
        ApplyResult result = batched.apply(CommandCodec.decodeEntry(CommandCodec.encodeEntry(1_000,
                CommandCodec.encode(new QueueCommand.Batch(commands())))));

        assertThat(result.replies()).isEqualTo(singleReplies);
        assertThat(result.replies()).extracting(Reply::code).contains(Reply.Code.REJECTED, Reply.Code.DUPLICATE);
        assertThat(QueueDriver.describe(result.effects())).isEqualTo(QueueDriver.describe(singleEffects));
        assertThat(snapshot(batched)).isEqualTo(snapshot(single));
    }

    private static byte[] snapshot(QuorumQueueState state) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotCodec.write(state, out);
        return out.toByteArray();
    }
}
