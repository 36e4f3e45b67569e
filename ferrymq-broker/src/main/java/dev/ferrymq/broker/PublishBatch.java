package dev.ferrymq.broker;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A group of publishes from one publisher whose stored queue entries are tracked until every one of them has left
 * its queue for good (acknowledged, or dropped by expiry, purge or deletion). From then on the batch no longer
 * needs to reach disk to be confirmed: like RabbitMQ, a publisher confirm may go out as soon as the messages were
 * either fsynced or consumed and acknowledged, whichever comes first.
 *
 * <p>The publisher holds the batch open while it adds to it; {@link #close()} drops that hold. {@code onSettled}
 * runs once, on whichever thread settles the last entry (often a consumer's, under a queue lock), so it must be
 * quick and must not block.
 *
 * <p>A replicated queue (quorum) instead holds the batch's confirm until its replicas committed the publish, fsync
 * or not: {@link #replicationStarted()} per publish, {@link #replicated(boolean)} when the commit (or a refusal)
 * comes back; {@code onReplicated} runs once every one has, with whether all were accepted. Thread-safe.
 */
public final class PublishBatch {
    /** The publisher's hold plus one per stored entry still in a queue. */
    private final AtomicInteger open = new AtomicInteger(1);
    private final Runnable onSettled;
    /** The publisher's replication hold plus one per publish a replicated queue has not yet committed. */
    private final AtomicInteger replicating = new AtomicInteger(1);
    private volatile boolean replicaRefused;
    private final Consumer<Boolean> onReplicated;

    public PublishBatch(Runnable onSettled) {
        this(onSettled, accepted -> { });
    }

    /** @param onReplicated told whether every replicated publish of the batch was accepted */
    public PublishBatch(Runnable onSettled, Consumer<Boolean> onReplicated) {
        this.onSettled = onSettled;
        this.onReplicated = onReplicated;
    }

    /** A replicated queue proposed a publish of this batch (called by queue implementations). */
    public void replicationStarted() {
        replicating.incrementAndGet();
    }

    /** A replicated publish was committed ({@code accepted}) or refused (called by queue implementations). */
    public void replicated(boolean accepted) {
        if (!accepted) {
            replicaRefused = true;
        }
        if (replicating.decrementAndGet() == 0) {
            onReplicated.accept(!replicaRefused);
        }
    }

    /** Whether a replicated queue took part: then the confirm waits for {@link #closeReplication()}'s callback. */
    public boolean isReplicated() {
        return replicating.get() > 1 || replicaRefused;
    }

    /** The publisher adds nothing more that replicates; {@code onReplicated} runs once every commit is back. */
    public void closeReplication() {
        replicated(true);
    }

    /** A stored entry joined the batch (called by queue implementations). */
    public void entryAdded() {
        open.incrementAndGet();
    }

    /** A stored entry of the batch left its queue for good (called by queue implementations). */
    public void entrySettled() {
        if (open.decrementAndGet() == 0) {
            onSettled.run();
        }
    }

    /** The publisher adds nothing more; {@code onSettled} runs now if every entry has already left its queue. */
    public void close() {
        entrySettled();
    }
}
