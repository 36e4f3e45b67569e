package dev.ferrymq.broker.queue.classic;

import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.dedup.QueueDeduplication;
import dev.ferrymq.broker.persistence.PagedMessages;
import dev.ferrymq.broker.persistence.Persistence;
import dev.ferrymq.broker.queue.Queue;

/**
 * Where a classic queue keeps its ready message bodies: on the heap while there is room, past that on disk only
 * (deep queues), in the store if the message was stored anyway, else in the scratch page file. Consumers that
 * keep up never see a message leave memory. Counts the queue's ready bytes on the heap, and tells the broker-wide
 * page file about them. The accounting is guarded by the owning queue's lock; {@link #load} and
 * {@link #release} are safe without it (the store and the page file are thread-safe).
 */
final class Tiering {
    /**
     * Above this many bytes of ready bodies in memory (or when all queues together are over the broker's budget),
     * new messages are kept on disk only.
     */
    static final long MAX_READY_BYTES_IN_MEMORY = 8L * 1024 * 1024;

    /** The store, or null for an in-memory broker (which then never pages out). */
    private final Persistence persistence;
    private final PagedMessages paging;
    private long readyBytesInMemory;
    /** {@code x-message-deduplication}: told when an entry leaves for good, or null. */
    private final QueueDeduplication dedup;

    Tiering(Persistence persistence) {
        this(persistence, null);
    }

    Tiering(Persistence persistence, QueueDeduplication dedup) {
        this.persistence = persistence;
        this.dedup = dedup;
        this.paging = persistence == null ? null : persistence.paging();
    }

    /**
     * Whether a new message stays on the heap: while the queue and the broker are under their budgets, and always
     * when a consumer could take it right away (paging it out would be wasted work).
     */
    boolean keepsInMemory(boolean consumersWaiting) {
        return paging == null || consumersWaiting
                || readyBytesInMemory < MAX_READY_BYTES_IN_MEMORY && !paging.underPressure();
    }

    /** The entry for a new message, on the tier {@link #keepsInMemory} picks. */
    ClassicEntry newEntry(ClassicQueue queue, long seq, Message message, long storedAt, long expiresAt, int priority,
                          boolean consumersWaiting) {
        if (keepsInMemory(consumersWaiting)) {
            heldOnHeap(message.bodySize());
            return ClassicEntry.inMemory(queue, seq, message, storedAt, expiresAt, priority);
        }
        if (storedAt != Queue.NOT_STORED) {
            return ClassicEntry.stored(queue, seq, storedAt, expiresAt, priority, message.bodySize());
        }
        return ClassicEntry.pagedOut(queue, seq, paging.pageOut(message), expiresAt, priority, message.bodySize());
    }

    /** An entry left the ready list: its body, if in memory, no longer counts (requeued ones never did). */
    void leftReady(ClassicEntry entry) {
        Message inMemory = entry.messageIfLoaded();
        if (inMemory != null && !entry.redelivered()) {
            heldOnHeap(-inMemory.bodySize());
        }
    }

    /** The opposite of {@link #leftReady}: an entry went back, possibly with its body now read into memory. */
    void backInReady(ClassicEntry entry) {
        Message inMemory = entry.messageIfLoaded();
        if (inMemory != null && !entry.redelivered()) {
            heldOnHeap(inMemory.bodySize());
        }
    }

    /** Every ready entry was dropped. */
    void readyCleared() {
        heldOnHeap(-readyBytesInMemory);
    }

    private void heldOnHeap(long bytes) {
        readyBytesInMemory += bytes;
        if (paging != null) {
            paging.heldOnHeap(bytes);
        }
    }

    /** Whether the broker's heap budget for ready bodies is nearly used up (flow control tightens). */
    boolean nearBudget() {
        return paging != null && paging.nearBudget();
    }

    /** Reads a message that is not in memory back from the store or the page file. */
    Message load(ClassicEntry entry) {
        return entry.paged() ? paging.load(entry.position()) : persistence.loadMessage(entry.position());
    }

    /** A recovered entry takes its reference on the store. */
    void retain(long position) {
        persistence.retain(position);
    }

    /** Drops the reference a refused publish took on the store. */
    void releaseStored(long position) {
        persistence.release(position);
    }

    /**
     * The entry leaves the queue for good: its publisher batch stops waiting for it, its disk reference goes
     * (after which its position may be reused or compacted: nothing may read it any more).
     */
    void release(ClassicEntry entry) {
        entry.leaveBatch();
        if (dedup != null) {
            dedup.left(entry.seq());
        }
        if (entry.paged()) {
            paging.release(entry.position());
        } else if (entry.stored()) {
            persistence.release(entry.position());
        }
    }
}
