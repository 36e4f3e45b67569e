package dev.ferrymq.broker;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A group of publishes from one publisher whose stored queue entries are tracked until every one of them has left
 * its queue for good (acknowledged, or dropped by expiry, purge or deletion). From then on the batch no longer
 * needs to reach disk to be confirmed: like RabbitMQ, a publisher confirm may go out as soon as the messages were
 * either fsynced or consumed and acknowledged, whichever comes first.
 *
 * <p>The publisher holds the batch open while it adds to it; {@link #close()} drops that hold. {@code onSettled}
 * runs once, on whichever thread settles the last entry (often a consumer's, under a queue lock), so it must be
 * quick and must not block. Thread-safe.
 */
public final class PublishBatch {
    /** The publisher's hold plus one per stored entry still in a queue. */
    private final AtomicInteger open = new AtomicInteger(1);
    private final Runnable onSettled;

    public PublishBatch(Runnable onSettled) {
        this.onSettled = onSettled;
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
