package dev.ferrymq.broker.queue.classic;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads of message bodies from disk, done off the queue lock. A consumer that settles on delivery (no-ack) must
 * be handed its message in memory; rather than read it from disk under the queue lock, the queue takes a run of
 * entries from the head of its ready list, and the thread that took them reads their bodies after releasing the
 * lock and puts them back in place (a requeue restores their order). While out, the entries are still the
 * queue's: their disk references are held, so nothing can free or compact what is being read; a purge or a
 * deletion meanwhile marks them to be dropped when they come back. One run at a time, so that order holds.
 * Guarded by the owning queue's lock, except {@link #entries()} for the thread that took the run.
 */
final class DiskReads {
    /** At most this many entries or bytes per run: enough to amortize the lock, small enough to start soon. */
    static final int MAX_ENTRIES = 64;
    static final long MAX_BYTES = 1024 * 1024;

    private final List<ClassicEntry> run = new ArrayList<>(MAX_ENTRIES);
    private boolean out;
    private boolean purged;

    /** Whether a run is out being read (no other may start until it is back). */
    boolean reading() {
        return out;
    }

    /** How many entries are out being read (they still count as ready). */
    int size() {
        return out ? run.size() : 0;
    }

    /** Takes up to {@link #MAX_ENTRIES} entries from {@code ready}'s head; the caller reads them off the lock. */
    void take(ReadyEntries ready, Tiering tiering) {
        long bytes = 0;
        ClassicEntry next;
        while (run.size() < MAX_ENTRIES && bytes < MAX_BYTES && (next = ready.poll()) != null) {
            tiering.leftReady(next);
            run.add(next);
            bytes += next.bodySize();
        }
        out = true;
        purged = false;
    }

    /** The run being read; only the thread that took it touches these entries until {@link #finish}. */
    List<ClassicEntry> entries() {
        return run;
    }

    /** A purge happened while the run was out: its entries are dropped when they come back. */
    void purged() {
        purged |= out;
    }

    /**
     * The run is back; returns whether a purge happened meanwhile. The caller then requeues (or drops) every
     * entry of {@link #entries()} and calls {@link #clear()}.
     */
    boolean finish() {
        out = false;
        return purged;
    }

    void clear() {
        run.clear();
        purged = false;
    }
}
