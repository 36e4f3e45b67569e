package dev.ferrymq.broker;

/**
 * A message's place in one queue. The sequence number fixes its position: a requeued entry goes back in front
 * of everything published after it.
 *
 * <p>An entry of a durable queue holding a persistent message also has a store position; its message may then be
 * dropped from memory ({@code message == null}) and is read back from the store when it is delivered, which keeps
 * deep queues off the heap. {@code queue}, {@code seq} and {@code position} are final; the rest is guarded by the
 * owning queue's lock.
 */
public final class QueueEntry {
    static final long NOT_STORED = -1;

    private final Queue queue;
    private final long seq;
    private final long position;
    private final long expiresAt;
    private Message message;
    private boolean redelivered;

    QueueEntry(Queue queue, long seq, Message message, long position, long expiresAt) {
        this.queue = queue;
        this.seq = seq;
        this.message = message;
        this.position = position;
        this.expiresAt = expiresAt;
    }

    /** Epoch milliseconds after which the message is dropped instead of delivered, or {@link Message#NEVER}. */
    long expiresAt() {
        return expiresAt;
    }

    boolean expired(long now) {
        return expiresAt != Message.NEVER && now >= expiresAt;
    }

    public Queue queue() {
        return queue;
    }

    public long seq() {
        return seq;
    }

    /** Where the message is in the store, or {@link #NOT_STORED}. */
    long position() {
        return position;
    }

    boolean stored() {
        return position != NOT_STORED;
    }

    /** The message, read from the store if it is not in memory. Safe on any thread while the entry is unsettled. */
    public Message message() {
        Message inMemory = message;
        return inMemory != null ? inMemory : queue.load(this);
    }

    /** Brings a paged-out message into memory, before the entry is settled and its store reference dropped. */
    void loadForDelivery() {
        if (message == null) {
            message = queue.load(this);
        }
    }

    /** The message if it is in memory, else null: a consumer that acks later can load it when it writes. */
    public Message messageIfLoaded() {
        return message;
    }

    /** Whether this message may have been delivered before (requeued, or recovered after a restart). */
    public boolean redelivered() {
        return redelivered;
    }

    void markRedelivered() {
        redelivered = true;
    }
}
