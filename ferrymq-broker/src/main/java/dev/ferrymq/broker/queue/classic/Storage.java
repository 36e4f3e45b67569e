package dev.ferrymq.broker.queue.classic;

import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.PublishBatch;
import dev.ferrymq.broker.dedup.QueueDeduplication;
import dev.ferrymq.broker.persistence.Persistence;
import dev.ferrymq.broker.persistence.QueueIndex;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.queue.QueueArguments;
import dev.ferrymq.broker.queue.QueueEntry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongPredicate;

/**
 * A classic queue's messages and their bookkeeping: the ready list ({@link ReadyEntries}), the tier each body is
 * on ({@link Tiering}), runs of bodies out being read off the lock ({@link DiskReads}) and, for a queue that
 * keeps persistent messages, the on-disk index. Every way an entry leaves the queue for good goes through here,
 * so the index and the disk references stay in step. Guarded by the owning queue's lock, except
 * {@link #load} and {@link #release}.
 */
final class Storage {
    private final ClassicQueue queue;
    private final ReadyEntries ready;
    private final Tiering tiering;
    private final DiskReads diskReads = new DiskReads();
    /** The on-disk index when the queue keeps persistent messages (durable, not exclusive), else null. */
    private final QueueIndex index;
    private long nextSeq;
    /** {@code x-message-deduplication}, or null. */
    private final QueueDeduplication dedup;

    Storage(ClassicQueue queue, int maxPriority, Persistence persistence, boolean keepsPersistentMessages,
            QueueDeduplication dedup) {
        this.queue = queue;
        this.ready = new ReadyEntries(maxPriority);
        this.dedup = dedup;
        this.tiering = new Tiering(persistence, dedup);
        this.index = keepsPersistentMessages && persistence != null ? openIndex(persistence) : null;
    }

    private QueueIndex openIndex(Persistence persistence) {
        try {
            return persistence.openQueueIndex(queue.vhost().name(), queue.name());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean keepsPersistentMessages() {
        return index != null;
    }

    /** The ready list (read-only use: sizes, priorities, the head). */
    ReadyEntries ready() {
        return ready;
    }

    /** Ready messages, counting those out being read. */
    int size() {
        return ready.size() + diskReads.size();
    }

    /** Appends a new message; {@code storedAt} and {@code batch} as in {@link Queue#publish}. */
    ClassicEntry add(Message message, long storedAt, PublishBatch batch, QueueArguments settings,
                     boolean consumersWaiting) {
        long expiresAt = Expiry.expiresAt(message.expiresAt(), settings.messageTtl(), System.currentTimeMillis());
        int priority = settings.maxPriority() == 0 ? 0 : ready.levelFor(message.priority());
        ClassicEntry entry = tiering.newEntry(queue, nextSeq++, message, storedAt, expiresAt, priority,
                consumersWaiting);
        if (storedAt != Queue.NOT_STORED) {
            index.enqueued(storedAt, entry.expiresAt(), entry.priority(), entry.bodySize());
            if (batch != null) {
                entry.joinBatch(batch);
            }
        }
        ready.add(entry);
        if (dedup != null) {
            dedup.entered(entry.seq(), message);
        }
        return entry;
    }

    /** {@code x-message-deduplication}: whether a message with the same identity is in the queue. */
    boolean isDuplicate(Message message) {
        return dedup != null && dedup.isDuplicate(message);
    }

    /** A publish the queue refused: drops the store reference taken for it, if any. */
    void refused(long storedAt) {
        if (storedAt != Queue.NOT_STORED) {
            tiering.releaseStored(storedAt);
        }
    }

    /** Start-up: re-creates the entries the index recovered, marked redelivered; returns how many. */
    int recover(LongPredicate inStore) throws IOException {
        if (index == null) {
            return 0;
        }
        List<QueueIndex.Entry> stored = index.recover(inStore);
        for (QueueIndex.Entry recovered : stored) {
            tiering.retain(recovered.position());
            ClassicEntry entry = ClassicEntry.stored(queue, nextSeq++, recovered.position(), recovered.expiresAt(),
                    ready.levelFor(recovered.priority()), recovered.bodySize());
            entry.markRedelivered();
            ready.add(entry);
            if (dedup != null) {
                dedup.entered(entry.seq(), load(entry)); // identities are not in the index: read them back
            }
        }
        return stored.size();
    }

    ClassicEntry peek() {
        return ready.peek();
    }

    ClassicEntry poll() {
        ClassicEntry next = ready.poll();
        if (next != null) {
            tiering.leftReady(next);
        }
        return next;
    }

    /** An unacked entry goes back to its place, marked redelivered. */
    void requeue(ClassicEntry entry) {
        entry.markRedelivered();
        ready.requeue(entry);
    }

    Message load(ClassicEntry entry) {
        return tiering.load(entry);
    }

    /** The entry left the queue for good: it leaves the index (unless the queue was deleted) and its reference goes. */
    void removed(ClassicEntry entry, boolean queueDeleted) {
        indexRemoved(entry, queueDeleted);
        tiering.release(entry);
    }

    /** The index part of {@link #removed}: the caller releases the entry later, with {@link #release}. */
    void indexRemoved(ClassicEntry entry, boolean queueDeleted) {
        if (!queueDeleted && entry.stored()) {
            index.removed(entry.position());
        }
    }

    /** Many entries left for good (a multiple ack): one index write for all. */
    void removedAll(List<QueueEntry> entries, boolean queueDeleted) {
        if (!queueDeleted) {
            long[] positions = new long[entries.size()];
            int stored = 0;
            for (QueueEntry entry : entries) {
                ClassicEntry classic = (ClassicEntry) entry;
                if (classic.stored()) {
                    positions[stored++] = classic.position();
                }
            }
            if (stored > 0) {
                index.removedAll(positions, stored);
            }
        }
        for (QueueEntry entry : entries) {
            tiering.release((ClassicEntry) entry);
        }
    }

    /** Drops the reference of an entry whose index and accounting were already settled; safe off the lock. */
    void release(ClassicEntry entry) {
        tiering.release(entry);
    }

    /** Drops every ready message (and any out being read, when they come back); returns how many. */
    int purge() {
        int count = size();
        diskReads.purged();
        if (index != null) {
            // The index first: a crash must never leave it pointing at released messages.
            index.removeAll(storedPositions(ready.all()));
        }
        dropReady();
        return count;
    }

    /** The queue is deleted: its index goes, its ready messages with it. */
    void delete() {
        if (index != null) {
            index.delete();
        }
        dropReady();
    }

    private void dropReady() {
        ready.clear().forEach(tiering::release);
        tiering.readyCleared();
    }

    private static Set<Long> storedPositions(Collection<ClassicEntry> entries) {
        Set<Long> positions = new HashSet<>();
        for (ClassicEntry entry : entries) {
            if (entry.stored()) {
                positions.add(entry.position());
            }
        }
        return positions;
    }

    boolean nearBudget() {
        return tiering.nearBudget();
    }

    boolean keepsInMemory(boolean consumersWaiting) {
        return tiering.keepsInMemory(consumersWaiting);
    }

    // ---------------------------------------------------------------- reading bodies off the lock

    /** Takes a run from the head to read off the lock, unless one is out already; true when taken. */
    boolean takeRunToRead() {
        if (diskReads.reading()) {
            return false;
        }
        diskReads.take(ready, tiering);
        return true;
    }

    /** The run out being read; only the thread that took it reads these entries. */
    List<ClassicEntry> runToRead() {
        return diskReads.entries();
    }

    /** The run is read: back in place, or dropped if the queue was purged or deleted meanwhile. */
    void putBackRun(boolean queueDeleted) {
        boolean purged = diskReads.finish();
        List<ClassicEntry> run = diskReads.entries();
        if (queueDeleted || purged) {
            if (!queueDeleted && index != null) {
                index.removeAll(storedPositions(run));
            }
            run.forEach(tiering::release);
        } else {
            for (ClassicEntry entry : run) {
                ready.requeue(entry);
                tiering.backInReady(entry);
            }
        }
        diskReads.clear();
    }
}
