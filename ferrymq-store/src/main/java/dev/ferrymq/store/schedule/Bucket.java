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

    /** {@link #volatileBefore} of a bucket found at start-up whose file has not been opened yet. */
    static final long UNKNOWN = Long.MAX_VALUE;

    final long id;
    final Path path;
    /** Open for appends, or null while closed (the log keeps only a few bucket files open). */
    RecordFile file;
    /**
     * The file's size when the log was opened: entries below it were written before the restart (non-durable ones
     * are gone), entries from it on were counted as they were added.
     */
    long volatileBefore;
    /** Whether the entries written before the restart are counted in {@link #live} and {@link #keys}. */
    boolean summarized;
    /** The last fired mark read from the file: entries below offset {@code firedBefore} due by then have fired. */
    long firedThrough = Long.MIN_VALUE;
    long firedBefore;
    int live;
    final Map<String, KeyCount> keys = new HashMap<>();
    /** The unfired entries in due order once the bucket is loaded, else null. */
    PriorityQueue<DueEntry> loaded;
    /** Batches taken from this bucket that are not settled yet. */
    int inFlight;
    /** The latest settled mark {bucket, through due, before offset} not written yet, or null. */
    long[] pendingMark;
    /** When a mark was last written ({@link System#nanoTime}). */
    long markWrittenAt = Long.MIN_VALUE / 2;

    Bucket(long id, Path path) {
        this.id = id;
        this.path = path;
    }

    /** Whether an entry read from the file (its record at {@code offset}) is still to fire. */
    boolean isLive(long offset, long due, boolean durable) {
        if (offset < firedBefore && due <= firedThrough) {
            return false;
        }
        return durable || offset >= volatileBefore;
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
