package dev.ferrymq.cluster.quorum.queue;

import dev.ferrymq.cluster.quorum.CommandCodec;
import dev.ferrymq.cluster.quorum.QueueCommand;
import dev.ferrymq.cluster.quorum.Reply;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Turns this node's stream of commands for one queue into few, large Raft entries. Each entry costs a round of
 * appends to the followers and an fsync on each, whatever it carries (several milliseconds here), so one entry
 * per publish caps a queue at a few hundred publishes a second. Instead at most {@link #MAX_IN_FLIGHT} entries
 * are outstanding; whatever the node's channels propose meanwhile waits here and goes out together, as one
 * {@link QueueCommand.Batch}, when an entry comes back. Under light load a command goes out alone at once, so
 * batching adds no latency; under heavy load entries grow until the round trip is amortised.
 *
 * <p>Order is kept: commands leave in the order they were proposed, and the Ratis client keeps its requests in
 * order. Every entry is handed to the node's one {@code sender} thread in the order it was taken, never sent
 * from the thread that completed the previous one: that is one of the Ratis client's own threads, and a send may
 * block (connecting to a new leader); with Ratis' Netty transport that deadlocked the client.
 * Thread-safe; replies complete on Ratis' threads.
 */
final class ProposalBatcher {
    /** Entries on the way at once: two keep the log busy while the previous round's replies come back. */
    static final int MAX_IN_FLIGHT = 2;
    /** Bounds an entry (and so the follower's append and its memory): about one Ratis append buffer. */
    static final int MAX_BATCH_BYTES = 1 << 20;
    static final int MAX_BATCH_COMMANDS = 4096;

    private final Function<byte[], CompletableFuture<byte[]>> send;
    private final Executor sender;
    private final ArrayDeque<Proposal> waiting = new ArrayDeque<>();
    private int inFlight;

    /**
     * @param send   proposes encoded command bytes; completes with the encoded reply once applied
     * @param sender runs the sends one at a time, in the order given (a single thread)
     */
    ProposalBatcher(Function<byte[], CompletableFuture<byte[]>> send, Executor sender) {
        this.send = send;
        this.sender = sender;
    }

    CompletableFuture<Reply> propose(QueueCommand command) {
        Proposal proposal = new Proposal(CommandCodec.encode(command));
        synchronized (this) {
            waiting.add(proposal);
            sendNextBatch();
        }
        return proposal.reply;
    }

    /**
     * Takes the next entry's commands, unless enough are in flight or none wait, and queues its send. Holds this
     * object's lock, so that entries reach the sender in the order they were taken.
     */
    private void sendNextBatch() {
        if (inFlight >= MAX_IN_FLIGHT || waiting.isEmpty()) {
            return;
        }
        List<Proposal> batch = new ArrayList<>();
        int bytes = 0;
        while (!waiting.isEmpty() && batch.size() < MAX_BATCH_COMMANDS
                && (batch.isEmpty() || bytes + waiting.peek().bytes.length <= MAX_BATCH_BYTES)) {
            Proposal next = waiting.poll();
            bytes += next.bytes.length;
            batch.add(next);
        }
        inFlight++;
        sender.execute(() -> sendBatch(batch));
    }

    private void sendBatch(List<Proposal> batch) {
        byte[] entry = batch.size() == 1 ? batch.get(0).bytes
                : CommandCodec.encodeBatch(batch.stream().map(proposal -> proposal.bytes).toList());
        CompletableFuture<byte[]> sent;
        try {
            sent = send.apply(entry);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((reply, failure) -> {
            synchronized (this) {
                inFlight--;
                sendNextBatch();
            }
            answer(batch, reply, failure);
        });
    }

    private static void answer(List<Proposal> batch, byte[] reply, Throwable failure) {
        if (failure != null) {
            batch.forEach(proposal -> proposal.reply.completeExceptionally(failure));
            return;
        }
        try {
            List<Reply> replies = batch.size() == 1 ? List.of(Reply.decode(reply)) : Reply.decodeAll(reply);
            if (replies.size() != batch.size()) {
                throw new IOException(replies.size() + " replies to a batch of " + batch.size());
            }
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).reply.complete(replies.get(i));
            }
        } catch (IOException e) {
            IllegalStateException undecodable = new IllegalStateException("undecodable quorum queue reply", e);
            batch.forEach(proposal -> proposal.reply.completeExceptionally(undecodable));
        }
    }

    /** The number of entries on the way (for tests). */
    synchronized int inFlight() {
        return inFlight;
    }

    private static final class Proposal {
        final byte[] bytes;
        final CompletableFuture<Reply> reply = new CompletableFuture<>();

        Proposal(byte[] bytes) {
            this.bytes = bytes;
        }
    }
}
