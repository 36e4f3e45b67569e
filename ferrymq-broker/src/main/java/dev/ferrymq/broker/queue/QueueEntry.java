package dev.ferrymq.broker.queue;

import dev.ferrymq.broker.Message;

/**
 * A message's place in one queue, as handed to a consumer or to basic.get and given back to settle, reject or
 * requeue it. Each {@link QueueType} has its own kind of entry; with a single one loaded these calls stay
 * monomorphic.
 */
public abstract class QueueEntry {
    protected QueueEntry() {
    }

    /** The queue the entry belongs to (to settle, reject or requeue it there). */
    public abstract Queue queue();

    /** Its place in the queue's order: a requeued entry goes back in front of everything published after it. */
    public abstract long seq();

    /** The message, read from disk if it is not in memory. Safe on any thread while the entry is unsettled. */
    public abstract Message message();

    /** The message if it is in memory, else null: a consumer that acks later can load it when it writes. */
    public abstract Message messageIfLoaded();

    /** Whether this message may have been delivered before (requeued, or recovered after a restart). */
    public abstract boolean redelivered();
}
