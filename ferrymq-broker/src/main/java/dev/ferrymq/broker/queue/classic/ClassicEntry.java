package dev.ferrymq.broker.queue.classic;

import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.PublishBatch;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.queue.QueueEntry;

/**
 * A message's place in one classic queue. The sequence number fixes its position: a requeued entry goes back in
 * front of everything published after it.
 *
 * <p>An entry may also have a position on disk: in the durable store (a persistent message in a durable queue),
 * or in the scratch page file (a message paged out under memory pressure). Its message may then be absent from
 * memory ({@code message == null}) and is read back when it is delivered, which keeps deep queues off the heap.
 * {@code queue}, {@code seq}, {@code position} and {@code paged} are final; the rest is guarded by the owning
 * queue's lock, except while {@link DiskReads} reads the message of an entry it took out of the queue.
 */
final class ClassicEntry extends QueueEntry {
    private final ClassicQueue queue;
    private final long seq;
    private final long position;
    private final boolean paged;
    private final long expiresAt;
    private final short priority;
    private final int bodySize;
    private Message message;
    private boolean redelivered;
    /** The publisher's batch this stored entry counts in until it settles, or null. */
    private PublishBatch batch;

    private ClassicEntry(ClassicQueue queue, long seq, Message message, long position, boolean paged, long expiresAt,
                         int priority, int bodySize) {
        this.queue = queue;
        this.seq = seq;
        this.message = message;
        this.position = position;
        this.paged = paged;
        this.expiresAt = expiresAt;
        this.priority = (short) priority;
        this.bodySize = bodySize;
    }

    /** An entry whose message is in memory and possibly in the durable store at {@code position}. */
    static ClassicEntry inMemory(ClassicQueue queue, long seq, Message message, long position, long expiresAt,
                                 int priority) {
        return new ClassicEntry(queue, seq, message, position, false, expiresAt, priority, message.bodySize());
    }

    /** An entry whose message is only in the durable store, at {@code position}. */
    static ClassicEntry stored(ClassicQueue queue, long seq, long position, long expiresAt, int priority,
                               int bodySize) {
        return new ClassicEntry(queue, seq, null, position, false, expiresAt, priority, bodySize);
    }

    /** An entry whose message was paged out to the page file at {@code position}. */
    static ClassicEntry pagedOut(ClassicQueue queue, long seq, long position, long expiresAt, int priority,
                                 int bodySize) {
        return new ClassicEntry(queue, seq, null, position, true, expiresAt, priority, bodySize);
    }

    /** The priority it is delivered by in a priority queue (0 elsewhere). */
    int priority() {
        return priority;
    }

    /** The body size, or 0 when unknown (recovered after a restart). */
    int bodySize() {
        return bodySize;
    }

    /** Epoch milliseconds after which the message is dropped instead of delivered, or {@link Message#NEVER}. */
    long expiresAt() {
        return expiresAt;
    }

    boolean expired(long now) {
        return expiresAt != Message.NEVER && now >= expiresAt;
    }

    @Override
    public Queue queue() {
        return queue;
    }

    ClassicQueue classicQueue() {
        return queue;
    }

    @Override
    public long seq() {
        return seq;
    }

    /** Where the message is on disk (in the store, or in the page file when {@link #paged}), or NOT_STORED. */
    long position() {
        return position;
    }

    /** Whether the message is in the durable store (and so in the queue's index). */
    boolean stored() {
        return position != Queue.NOT_STORED && !paged;
    }

    /** Whether the message is in the scratch page file. */
    boolean paged() {
        return paged;
    }

    @Override
    public Message message() {
        Message inMemory = message;
        return inMemory != null ? inMemory : queue.load(this);
    }

    /** Brings a message that is on disk only into memory. */
    void loadMessage() {
        if (message == null) {
            message = queue.load(this);
        }
    }

    @Override
    public Message messageIfLoaded() {
        return message;
    }

    void joinBatch(PublishBatch publishBatch) {
        batch = publishBatch;
        publishBatch.entryAdded();
    }

    /** The entry has left its queue for good: its batch no longer waits for it. */
    void leaveBatch() {
        if (batch != null) {
            batch.entrySettled();
            batch = null;
        }
    }

    @Override
    public boolean redelivered() {
        return redelivered;
    }

    void markRedelivered() {
        redelivered = true;
    }
}
