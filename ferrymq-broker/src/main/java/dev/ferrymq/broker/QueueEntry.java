package dev.ferrymq.broker;

/**
 * A message's place in one queue. The sequence number fixes its position: a requeued entry goes back in front
 * of everything published after it. Guarded by the owning queue's lock, except {@code queue} and {@code seq}.
 */
public final class QueueEntry {
    private final Queue queue;
    private final long seq;
    private final Message message;
    private boolean redelivered;

    QueueEntry(Queue queue, long seq, Message message) {
        this.queue = queue;
        this.seq = seq;
        this.message = message;
    }

    public Queue queue() {
        return queue;
    }

    public long seq() {
        return seq;
    }

    public Message message() {
        return message;
    }

    /** Whether this message was delivered before (set when it is requeued). */
    public boolean redelivered() {
        return redelivered;
    }

    void markRedelivered() {
        redelivered = true;
    }
}
