package dev.ferrymq.server.amqp.channel;

import dev.ferrymq.amqp.AmqpException;
import dev.ferrymq.amqp.Method;
import dev.ferrymq.amqp.ReplyCode;
import dev.ferrymq.amqp.method.BasicAck;
import dev.ferrymq.amqp.method.BasicNack;
import dev.ferrymq.amqp.method.ConfirmSelectOk;
import dev.ferrymq.broker.MessageCounters;
import dev.ferrymq.broker.PublishBatch;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Publisher confirms of one channel (RabbitMQ's {@code rabbit_confirms}). Publishes are numbered from 1; at the
 * end of each read batch one confirm is decided for everything published in it ({@code basic.ack} with
 * {@code multiple}). It goes out at once if nothing in the batch was stored, otherwise after the next group
 * commit ({@link Durability}) or earlier once every stored entry of the batch has left its queue (a
 * {@link PublishBatch} counts them). A publish a full {@code reject-publish} queue refused gets its own
 * {@code basic.nack}. A publish to a replicated (quorum) queue holds its batch's confirm until the replicas
 * committed it, and a refusal there nacks the whole batch ({@code multiple}). Confirms always go out in publish
 * order: a ready one waits for every earlier one.
 *
 * <p>Runs on the channel's event loop; a {@link PublishBatch} completing on a queue's thread hands over to
 * {@code loop} first.
 */
final class Confirms {
    private final Consumer<Method> send;
    private final Durability durability;
    private final Executor loop;
    private final Runnable flush;
    private final BooleanSupplier open;
    private final MessageCounters totals;
    private boolean enabled;
    private long publishSeq;
    /** Highest publish sequence number whose confirm is decided (sent, or pending). */
    private long requestedSeq;
    private long sentSeq;
    /** Some publish since the last confirm request was written to the store and must be fsynced first. */
    private boolean storedSinceRequest;
    /** The confirm collecting this read batch's persistent publishes, or null before the first one. */
    private PendingConfirm collecting;
    /** Confirms decided but not sent, oldest first. */
    private final ArrayDeque<PendingConfirm> pending = new ArrayDeque<>();

    /**
     * @param loop  the channel's event loop
     * @param flush flushes the socket after confirms sent from a task of their own
     * @param open  whether the channel is still open (nothing is sent on a closed one)
     */
    Confirms(Consumer<Method> send, Durability durability, Executor loop, Runnable flush, BooleanSupplier open,
             MessageCounters totals) {
        this.send = send;
        this.durability = durability;
        this.loop = loop;
        this.flush = flush;
        this.open = open;
        this.totals = totals;
    }

    /** confirm.select; refused on a transactional channel. */
    void select(boolean transactional, boolean noWait) {
        if (transactional) {
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "cannot switch from tx to confirm mode");
        }
        enabled = true;
        if (!noWait) {
            send.accept(new ConfirmSelectOk());
        }
    }

    boolean enabled() {
        return enabled;
    }

    /**
     * The batch of this read batch's publishes: it tracks a persistent publish's stored entries for an early
     * confirm, and any publish's replication to a quorum queue.
     */
    PublishBatch batch() {
        if (collecting == null) {
            collecting = new PendingConfirm();
        }
        return collecting.batch;
    }

    /** One publish was routed: {@code stored} if written to the store, {@code refused} if a queue refused it. */
    void published(boolean stored, boolean refused) {
        storedSinceRequest |= stored;
        publishSeq++;
        if (refused) {
            nack(publishSeq);
        }
    }

    /** Decides the confirm for everything published in this read batch. */
    void endOfReadBatch() {
        if (publishSeq > requestedSeq) {
            request(publishSeq);
        }
    }

    private void request(long seq) {
        requestedSeq = seq;
        PendingConfirm confirm = collecting != null ? collecting : new PendingConfirm();
        collecting = null;
        confirm.seq = seq;
        pending.add(confirm);
        if (confirm.batch.isReplicated()) {
            confirm.batch.closeReplication();
        } else {
            confirm.replicated = true;
        }
        if (storedSinceRequest) {
            storedSinceRequest = false;
            confirm.batch.close();
            durability.afterFsync(confirm::markReady);
        } else {
            confirm.markReady(); // nothing stored: the batch has no entries and is never closed
        }
    }

    /** Everything before {@code seq} is confirmed as usual, and {@code seq} gets a basic.nack in its turn. */
    private void nack(long seq) {
        if (seq - 1 > requestedSeq) {
            request(seq - 1);
        }
        requestedSeq = seq;
        PendingConfirm refused = new PendingConfirm();
        refused.seq = seq;
        refused.nack = true;
        refused.replicated = true;
        pending.add(refused);
        refused.markReady();
    }

    private void sendReady() {
        long lastAck = 0;
        while (!pending.isEmpty() && pending.peekFirst().ready && pending.peekFirst().replicated) {
            PendingConfirm confirm = pending.pollFirst();
            if (!confirm.nack) {
                lastAck = confirm.seq;
                continue;
            }
            if (lastAck > 0) {
                sendAck(lastAck);
                lastAck = 0;
            }
            if (open.getAsBoolean()) {
                send.accept(new BasicNack(confirm.seq, confirm.seq - sentSeq > 1, false));
                sentSeq = confirm.seq;
            }
        }
        if (lastAck > 0) {
            sendAck(lastAck);
        }
    }

    private void sendAck(long seq) {
        if (open.getAsBoolean() && seq > sentSeq) {
            send.accept(new BasicAck(seq, seq - sentSeq > 1));
            totals.confirmed.add(seq - sentSeq);
            sentSeq = seq;
        }
    }

    /** A confirm request for the publishes of one read batch. Its fields are used on the event loop only. */
    private final class PendingConfirm {
        /** Tracks the stored entries; once they have all left their queues the confirm need not wait for disk. */
        final PublishBatch batch = new PublishBatch(() -> loop.execute(() -> {
            markReady();
            flush.run();
        }), accepted -> loop.execute(() -> markReplicated(accepted)));
        long seq;
        /** Durable: fsynced, or every stored entry left its queue. */
        boolean ready;
        /** Committed by the replicas of every quorum queue it went to (true when none). */
        boolean replicated;
        boolean nack;

        void markReady() {
            ready = true;
            sendReady();
        }

        void markReplicated(boolean accepted) {
            nack |= !accepted;
            replicated = true;
            sendReady();
            flush.run();
        }
    }
}
