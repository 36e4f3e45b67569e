package dev.ferrymq.cluster.quorum.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymq.cluster.quorum.CommandCodec;
import dev.ferrymq.cluster.quorum.ConsumerId;
import dev.ferrymq.cluster.quorum.LogEntry;
import dev.ferrymq.cluster.quorum.PublisherId;
import dev.ferrymq.cluster.quorum.QueueCommand;
import dev.ferrymq.cluster.quorum.QuorumQueueState;
import dev.ferrymq.cluster.quorum.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The batcher against a fake group that holds each entry until the test answers it: what it sends, when, and
 * how the replies find their proposers.
 */
class ProposalBatcherTest {
    private final List<byte[]> sent = new ArrayList<>();
    private final List<CompletableFuture<byte[]>> pending = new ArrayList<>();
    private final QuorumQueueState state = new QuorumQueueState();
    private final ProposalBatcher batcher = new ProposalBatcher(entry -> {
        CompletableFuture<byte[]> reply = new CompletableFuture<>();
        synchronized (this) {
            sent.add(entry);
            pending.add(reply);
        }
        return reply;
    }, Runnable::run);

    private static QueueCommand cancel(int i) {
        return new QueueCommand.Cancel(new ConsumerId("n1", 1, 1, "c" + i));
    }

    private static QueueCommand decode(byte[] bytes) {
        try {
            return CommandCodec.decode(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Applies entry {@code i} to a real state and answers it with the encoded reply. */
    private void commit(int i) {
        byte[] entry = sent.get(i);
        try {
            var result = state.apply(new LogEntry(1, CommandCodec.decode(entry)));
            pending.get(i).complete(entry[1] == 16 ? Reply.encodeAll(result.replies()) : result.reply().encode());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void underLightLoadEachCommandGoesAloneAndAtOnce() {
        CompletableFuture<Reply> reply = batcher.propose(cancel(1));

        assertThat(sent).hasSize(1);
        assertThat(decode(sent.get(0))).isEqualTo(cancel(1));
        commit(0);
        assertThat(reply).isCompletedWithValue(new Reply(Reply.Code.OK, 0));
        assertThat(batcher.inFlight()).isZero();
    }

    @Test
    void whatArrivesWhileEntriesAreInFlightLeavesAsOneBatchInProposalOrder() throws Exception {
        List<CompletableFuture<Reply>> replies = new ArrayList<>();
        IntStream.range(0, 10).forEach(i -> replies.add(batcher.propose(cancel(i))));

        assertThat(sent).hasSize(ProposalBatcher.MAX_IN_FLIGHT);
        commit(0);

        assertThat(sent).hasSize(ProposalBatcher.MAX_IN_FLIGHT + 1);
        QueueCommand batch = decode(sent.get(ProposalBatcher.MAX_IN_FLIGHT));
        assertThat(batch).isEqualTo(new QueueCommand.Batch(
                IntStream.range(ProposalBatcher.MAX_IN_FLIGHT, 10).mapToObj(ProposalBatcherTest::cancel).toList()));
        for (int i = 1; i < sent.size(); i++) {
            commit(i);
        }
        for (CompletableFuture<Reply> reply : replies) {
            assertThat(reply.get()).isEqualTo(new Reply(Reply.Code.OK, 0));
        }
        assertThat(batcher.inFlight()).isZero();
    }

    @Test
    void eachProposerGetsItsOwnReplyFromABatch() throws Exception {
        ConsumerId getter = new ConsumerId("n1", 1, 1, "");
        batcher.propose(cancel(0));
        batcher.propose(cancel(1));
        CompletableFuture<Reply> purge = batcher.propose(new QueueCommand.Purge());
        CompletableFuture<Reply> get = batcher.propose(new QueueCommand.Dequeue(getter, true));

        commit(0);
        commit(1);
        commit(2);

        assertThat(purge.get()).isEqualTo(new Reply(Reply.Code.OK, 0));
        assertThat(get.get().code()).isEqualTo(Reply.Code.EMPTY);
    }

    @Test
    void aBatchIsCutAtTheByteLimit() {
        batcher.propose(cancel(0));
        batcher.propose(cancel(1));
        byte[] big = new byte[ProposalBatcher.MAX_BATCH_BYTES / 3];
        for (int i = 0; i < 4; i++) { // three with their headers are just over the limit
            batcher.propose(new QueueCommand.Enqueue(new PublisherId("n1", 1, 1), 0, 0,
                    -1, big));
        }

        commit(0);
        assertThat(((QueueCommand.Batch) decode(sent.get(2))).commands()).hasSize(2);
        commit(1);
        assertThat(((QueueCommand.Batch) decode(sent.get(3))).commands()).hasSize(2);
        assertThat(sent.get(3).length).isLessThanOrEqualTo(ProposalBatcher.MAX_BATCH_BYTES + 64);
    }

    @Test
    void aFailedEntryFailsEveryProposalInItAndTheNextOnesStillGo() throws Exception {
        CompletableFuture<Reply> first = batcher.propose(cancel(0));
        batcher.propose(cancel(1));
        CompletableFuture<Reply> batchedA = batcher.propose(cancel(2));
        CompletableFuture<Reply> batchedB = batcher.propose(cancel(3));

        pending.get(0).completeExceptionally(new IOException("no leader"));

        assertThat(first).isCompletedExceptionally();
        assertThat(sent).hasSize(3);
        pending.get(2).completeExceptionally(new IOException("no leader"));
        assertThat(batchedA).isCompletedExceptionally();
        assertThat(batchedB).isCompletedExceptionally();
        CompletableFuture<Reply> later = batcher.propose(cancel(4));
        commit(3);
        assertThat(later.get()).isEqualTo(new Reply(Reply.Code.OK, 0));
    }

    @Test
    void sendsRunOnTheSenderNotOnTheThreadThatCompletedTheLastEntry() {
        ArrayDeque<Runnable> senderQueue = new ArrayDeque<>();
        List<byte[]> sentHere = new ArrayList<>();
        List<CompletableFuture<byte[]>> replies = new ArrayList<>();
        ProposalBatcher queued = new ProposalBatcher(entry -> {
            sentHere.add(entry);
            CompletableFuture<byte[]> reply = new CompletableFuture<>();
            replies.add(reply);
            return reply;
        }, senderQueue::add);

        queued.propose(cancel(1));
        queued.propose(cancel(2));
        queued.propose(cancel(3));
        assertThat(sentHere).isEmpty();
        senderQueue.poll().run();
        senderQueue.poll().run();
        replies.get(0).complete(new Reply(Reply.Code.OK, 0).encode());

        assertThat(sentHere).hasSize(2);
        assertThat(senderQueue).hasSize(1);
        senderQueue.poll().run();
        assertThat(sentHere.stream().map(ProposalBatcherTest::decode).toList())
                .containsExactly(cancel(1), cancel(2), cancel(3));
    }
}
