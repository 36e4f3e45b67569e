package dev.ferrymq.store.schedule;

import dev.ferrymq.store.RecordFile;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * One time bucket of a {@link ScheduleLog}: its file and the small summary kept on the heap while it waits (live
 * entries per key and the earliest due time among them), plus its entries once it is loaded for firing.
 *
 * <p>Thread-safety: none; guarded by the owning {@link ScheduleLog}.
 */
final class Bucket {
    /** Live entries of one key in this bucket. {@code minDue} may be lower than the true minimum after fires. */
    static final class KeyCount {
        int count;
        long minDue = Long.MAX_VALUE;
    }

    final long id;
    final Path path;
    /** Open for appends, or null while closed (the log keeps only a few bucket files open). */
    RecordFile file;
    /** Entries ever written to the file: the next entry's index. */
    int entries;
    /** Non-durable entries below this index were written before the last restart and are gone. */
    int volatileBefore;
    /** The last fired mark in the file: entries with index below {@code firedBefore} due by then have fired. */
    long firedThrough = Long.MIN_VALUE;
    int firedBefore;
    int live;
    final Map<String, KeyCount> keys = new HashMap<>();
    /** The unfired entries in due order once the bucket is loaded, else null. */
    PriorityQueue<DueEntry> loaded;
    /** Batches taken from this bucket whose fired mark is not written yet. */
    int inFlight;

    Bucket(long id, Path path) {
        this.id = id;
        this.path = path;
    }

    /** Whether an entry read from the file is still to fire. */
    boolean isLive(int index, long due, boolean durable) {
        if (index < firedBefore && due <= firedThrough) {
            return false;
        }
        return durable || index >= volatileBefore;
    }

    void countIn(String key, long due) {
        KeyCount c = keys.computeIfAbsent(key, k -> new KeyCount());
        c.count++;
        c.minDue = Math.min(c.minDue, due);
        live++;
    }

    void countOut(String key) {
        KeyCount c = keys.get(key);
        if (c != null && --c.count == 0) {
            keys.remove(key);
        }
        live--;
    }
}
