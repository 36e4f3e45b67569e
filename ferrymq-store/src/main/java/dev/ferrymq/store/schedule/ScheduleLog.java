package dev.ferrymq.store.schedule;

import dev.ferrymq.store.RecordFile;
import dev.ferrymq.store.Syncer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entries to be handed back at a time (epoch milliseconds), kept on disk in time buckets so that the heap holds only
 * a small summary per bucket, not the entries. Generic: an entry is a due time, a grouping key (counted per key for
 * statistics) and opaque bytes.
 *
 * <pre>
 * dir/
 *   0001765000000000.bkt    one RecordFile per bucket, named by the bucket's start (16-digit epoch ms):
 *   0001765000001000.bkt    entries whose due time falls in [start, start + bucketMillis), in arrival order,
 *   ...                     and "fired" marks (see ScheduledRecord)
 *
 * open        ─► list the files only; summarizeRecovered() then reads each once for the counts
 * heap:  TreeMap start → Bucket{file (if open), live count per key, earliest due}      (all buckets)
 *        Bucket.loaded: PriorityQueue of its unfired entries                          (only buckets about to fire)
 *
 * add(due)    ─► append 'M' to bucket(due) (the syncer fsyncs it in its next round); if that bucket is loaded,
 *                also into its queue
 * takeDue(now)─► load every bucket starting before now + preload (read the file, skip what a fired mark covers),
 *                hand out all loaded entries due by now, in (due, bucket, index) order
 * settle(b)   ─► append 'F' marks; delete a bucket file once it is past, empty and settled
 * </pre>
 *
 * A crash between taking and settling, or before a settled mark is written (marks are written at most every
 * 100 ms per bucket, when the firing thread next waits, and at close), hands those entries out again after restart
 * (at least once). Entries added
 * with {@code durable = false} are gone after a restart. At most {@value #MAX_OPEN_FILES} bucket files are open at
 * once; closing one fsyncs it, so eviction never loses an acknowledged write.
 *
 * <p>Thread-safety: thread-safe; every method synchronizes on the log. File appends happen under that lock (they
 * reach the OS, not the disk); fsyncs happen on the {@link Syncer}'s thread.
 */
public final class ScheduleLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ScheduleLog.class);
    static final String SUFFIX = ".bkt";
    static final int MAX_OPEN_FILES = 64;
    /**
     * A take stops loading further buckets once it has this many entries, so that a backlog (after downtime) is
     * loaded a few buckets at a time; later buckets only hold later entries, so order is kept.
     */
    static final int BATCH_TARGET = 10_000;
    /**
     * Fired marks of a bucket are written at most this often (the latest one at close): a crash routes again at
     * most the last 100 ms of a bucket's entries, instead of one mark per batch costing a write at every wake-up.
     */
    static final long MARK_INTERVAL_NANOS = 100_000_000;

    /** Taken entries and the marks that settle them. */
    public record Batch(List<DueEntry> entries, List<long[]> marks) {
        public boolean isEmpty() {
            return entries.isEmpty();
        }
    }

    private final Path dir;
    private final Syncer syncer;
    private final long bucketMillis;
    private final long preloadMillis;
    private final TreeMap<Long, Bucket> buckets = new TreeMap<>();
    private final Map<String, Long> liveByKey = new HashMap<>();
    private final LinkedHashMap<Long, Bucket> openFiles = new LinkedHashMap<>(16, 0.75f, true);
    private long live;
    private long plannedWake = Long.MAX_VALUE;
    private boolean closed;

    private ScheduleLog(Path dir, Syncer syncer, long bucketMillis) {
        this.dir = dir;
        this.syncer = syncer;
        this.bucketMillis = bucketMillis;
        this.preloadMillis = Math.min(bucketMillis, 250);
    }

    /**
     * Opens the log in {@code dir}. Only the file names are read: the scheduler can take due entries at once;
     * {@link #summarizeRecovered} then counts what the files hold (until it has, {@link #count} and
     * {@link #nextDue} leave out entries written before the restart whose bucket is not loaded yet).
     *
     * @param bucketMillis the width of new buckets (existing files keep theirs)
     */
    public static ScheduleLog open(Path dir, Syncer syncer, long bucketMillis) throws IOException {
        if (bucketMillis <= 0) {
            throw new IllegalArgumentException("bucketMillis must be positive");
        }
        Files.createDirectories(dir);
        ScheduleLog log = new ScheduleLog(dir, syncer, bucketMillis);
        try (Stream<Path> listing = Files.list(dir)) {
            for (Path file : (Iterable<Path>) listing::iterator) {
                String name = file.getFileName().toString();
                if (!name.endsWith(SUFFIX)) {
                    continue;
                }
                try {
                    long start = Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
                    Bucket bucket = new Bucket(start, file);
                    bucket.volatileBefore = Bucket.UNKNOWN; // the size once opened (a torn tail is cut then)
                    log.buckets.put(start, bucket);
                } catch (NumberFormatException e) {
                    LOG.warn("Ignoring {}: not a bucket file name", file);
                }
            }
        }
        return log;
    }

    /**
     * Start-up, after {@link #open}: reads each bucket file written before the restart once, counting its live
     * entries per key and deleting it if nothing in it is left to fire. The file is read without the log's lock
     * (only what it held at start-up is counted), so adds and takes, and the firing, go on meanwhile. Returns the
     * entries counted.
     */
    public long summarizeRecovered() throws IOException {
        List<Long> starts;
        synchronized (this) {
            starts = new ArrayList<>(buckets.keySet());
        }
        long counted = 0;
        for (long start : starts) {
            Bucket bucket;
            synchronized (this) {
                if (closed) {
                    break;
                }
                bucket = buckets.get(start);
                if (bucket == null || bucket.summarized) {
                    continue;
                }
            }
            List<Read> entries = new ArrayList<>();
            long[] lastMark = null;
            long end;
            try {
                long[][] mark = new long[1][];
                end = RecordFile.scan(bucket.path, (offset, r) -> {
                    if (ScheduledRecord.isEntry(r)) {
                        entries.add(new Read(offset, r));
                    } else {
                        mark[0] = new long[] {ScheduledRecord.due(r), ScheduledRecord.firedBefore(r)};
                    }
                });
                lastMark = mark[0];
            } catch (NoSuchFileException gone) {
                continue; // fired and deleted meanwhile
            }
            synchronized (this) {
                if (!closed && buckets.get(start) == bucket && !bucket.summarized) {
                    counted += summarize(bucket, entries, lastMark, end);
                }
            }
        }
        return counted;
    }

    /**
     * Counts the live entries a bucket held before the restart (read by {@link #summarizeRecovered}); deletes its
     * file if there are none at all.
     */
    private int summarize(Bucket bucket, List<Read> entries, long[] lastMark, long end) throws IOException {
        if (bucket.volatileBefore == Bucket.UNKNOWN) {
            bucket.volatileBefore = end; // not opened yet: where open will cut a torn tail
        }
        if (lastMark != null) {
            bucket.firedThrough = lastMark[0];
            bucket.firedBefore = lastMark[1];
        }
        int counted = 0;
        for (Read read : entries) {
            byte[] r = read.record();
            if (read.offset() < bucket.volatileBefore
                    && bucket.isLive(read.offset(), ScheduledRecord.due(r), ScheduledRecord.durable(r))) {
                countIn(bucket, ScheduledRecord.key(r), ScheduledRecord.due(r));
                counted++;
            }
        }
        bucket.summarized = true;
        if (bucket.live == 0 && bucket.loaded == null && bucket.inFlight == 0) {
            delete(bucket);
        }
        return counted;
    }

    /** A live entry read back from a bucket file. */
    @FunctionalInterface
    private interface LiveEntry {
        void accept(long offset, byte[] record);
    }

    private record Read(long offset, byte[] record) {
    }

    /** Reads a bucket file: takes in its last fired mark, then hands over every entry still to fire. */
    private void readMarks(Bucket bucket, LiveEntry live) throws IOException {
        List<Read> entries = new ArrayList<>();
        file(bucket).forEachRecord((offset, r) -> {
            if (ScheduledRecord.isEntry(r)) {
                entries.add(new Read(offset, r));
            } else {
                bucket.firedThrough = ScheduledRecord.due(r);
                bucket.firedBefore = ScheduledRecord.firedBefore(r);
            }
        });
        for (Read read : entries) {
            byte[] r = read.record();
            if (bucket.isLive(read.offset(), ScheduledRecord.due(r), ScheduledRecord.durable(r))) {
                live.accept(read.offset(), r);
            }
        }
    }

    /**
     * Schedules {@code payload} under {@code key} for {@code due}. The record is in the OS when this returns; use
     * the syncer's {@code whenDurable} for durability.
     *
     * @param durable whether the entry survives a restart
     */
    public synchronized void add(long due, boolean durable, String key, byte[] payload) throws IOException {
        ensureOpen();
        long start = Math.floorDiv(due, bucketMillis) * bucketMillis;
        Bucket bucket = buckets.get(start);
        if (bucket == null) {
            bucket = new Bucket(start, dir.resolve(String.format("%016d%s", start, SUFFIX)));
            bucket.summarized = true; // a new file: everything in it is counted as it is added
            buckets.put(start, bucket);
        }
        RecordFile file = file(bucket);
        long offset = file.size();
        file.append(ScheduledRecord.entry(due, durable, key, payload));
        countIn(bucket, key, due);
        if (bucket.loaded != null) {
            bucket.loaded.add(new DueEntry(due, key, payload, start, offset));
        }
        if (Math.min(due, start - preloadMillis) < plannedWake) {
            notifyAll();
        }
    }

    /**
     * Hands out the entries due at or before {@code now}, in due order (ties in the order they were added), loading
     * the buckets about to start; a bucket is handed out whole, and no further bucket is loaded once about
     * {@value #BATCH_TARGET} entries are taken (call again for the rest). Pass the batch to {@link #settle} once the caller has made its effect durable.
     */
    public synchronized Batch takeDue(long now) throws IOException {
        ensureOpen();
        List<DueEntry> taken = new ArrayList<>();
        List<long[]> marks = new ArrayList<>();
        for (Bucket bucket : buckets.headMap(now + preloadMillis, true).values()) {
            if (taken.size() >= BATCH_TARGET) {
                break;
            }
            if (bucket.loaded == null) {
                load(bucket);
            }
            int before = taken.size();
            while (!bucket.loaded.isEmpty() && bucket.loaded.peek().due() <= now) {
                DueEntry entry = bucket.loaded.poll();
                countOut(bucket, entry.key());
                taken.add(entry);
            }
            if (taken.size() > before) {
                bucket.inFlight++;
                marks.add(new long[] {bucket.id, now, file(bucket).size()});
            }
        }
        if (marks.size() > 1) {
            taken.sort(null);
        }
        return new Batch(taken, marks);
    }

    /** Records that a batch's entries have fired for good; deletes buckets that are past and empty. */
    public synchronized void settle(Batch batch) throws IOException {
        if (closed) {
            return; // the marks are lost: those entries fire again after restart (at least once)
        }
        for (long[] mark : batch.marks()) {
            Bucket bucket = buckets.get(mark[0]);
            if (bucket == null) {
                continue;
            }
            bucket.inFlight--;
            if (bucket.live == 0 && bucket.inFlight == 0 && bucket.loaded != null && bucket.loaded.isEmpty()) {
                delete(bucket);
                continue;
            }
            // A later mark covers every earlier one, so at a high due rate most marks need never be written.
            bucket.pendingMark = mark;
            if (System.nanoTime() - bucket.markWrittenAt >= MARK_INTERVAL_NANOS) {
                writeMark(bucket);
            }
        }
    }

    private void writeMark(Bucket bucket) throws IOException {
        long[] mark = bucket.pendingMark;
        file(bucket).append(ScheduledRecord.fired(mark[1], mark[2]));
        bucket.pendingMark = null;
        bucket.markWrittenAt = System.nanoTime();
    }

    /**
     * Waits until an entry may be due (a loaded entry's due time, or the next bucket's preload time), an earlier
     * entry is added, or {@code maxMillis} passed.
     */
    public synchronized void awaitWork(long maxMillis) throws InterruptedException, IOException {
        for (Bucket bucket : buckets.values()) {
            if (bucket.pendingMark != null && System.nanoTime() - bucket.markWrittenAt >= MARK_INTERVAL_NANOS) {
                writeMark(bucket); // the firing thread is idle: settle what waited
            }
        }
        long now = System.currentTimeMillis();
        long wake = nextWake();
        long wait = Math.min(maxMillis, wake - now);
        if (wait > 0 && !closed) {
            plannedWake = now + wait;
            wait(wait);
            plannedWake = Long.MAX_VALUE;
        }
    }

    private long nextWake() {
        long wake = Long.MAX_VALUE;
        for (Bucket bucket : buckets.values()) {
            if (bucket.loaded == null) {
                return Math.min(wake, bucket.id - preloadMillis);
            }
            if (!bucket.loaded.isEmpty()) {
                wake = Math.min(wake, bucket.loaded.peek().due());
            }
        }
        return wake;
    }

    /** Entries still to fire. */
    public synchronized long count() {
        return live;
    }

    /** Entries still to fire under {@code key}. */
    public synchronized long count(String key) {
        return liveByKey.getOrDefault(key, 0L);
    }

    /** The earliest due time among the entries of {@code key}, or -1 if it has none. */
    public synchronized long nextDue(String key) {
        for (Bucket bucket : buckets.values()) {
            Bucket.KeyCount c = bucket.keys.get(key);
            if (c == null) {
                continue;
            }
            if (bucket.loaded == null) {
                return c.minDue;
            }
            long min = Long.MAX_VALUE;
            for (DueEntry e : bucket.loaded) {
                if (e.key().equals(key)) {
                    min = Math.min(min, e.due());
                }
            }
            return min;
        }
        return -1;
    }

    /** Bucket files on disk. */
    public synchronized int buckets() {
        return buckets.size();
    }

    /** Entries held on the heap (loaded buckets only). */
    public synchronized int loadedEntries() {
        int n = 0;
        for (Bucket bucket : buckets.values()) {
            if (bucket.loaded != null) {
                n += bucket.loaded.size();
            }
        }
        return n;
    }

    private void load(Bucket bucket) throws IOException {
        PriorityQueue<DueEntry> queue = new PriorityQueue<>();
        boolean count = !bucket.summarized; // entries from before the restart, not counted yet
        readMarks(bucket, (offset, r) -> {
            long due = ScheduledRecord.due(r);
            String key = ScheduledRecord.key(r);
            if (count && offset < bucket.volatileBefore) {
                countIn(bucket, key, due);
            }
            queue.add(new DueEntry(due, key, ScheduledRecord.payload(r), bucket.id, offset));
        });
        bucket.summarized = true;
        bucket.loaded = queue;
    }

    private RecordFile file(Bucket bucket) throws IOException {
        if (bucket.file == null) {
            bucket.file = RecordFile.open(bucket.path, syncer);
            if (bucket.volatileBefore == Bucket.UNKNOWN) {
                bucket.volatileBefore = bucket.file.size();
            }
        }
        openFiles.put(bucket.id, bucket);
        if (openFiles.size() > MAX_OPEN_FILES) {
            Iterator<Bucket> eldest = openFiles.values().iterator();
            Bucket evicted = eldest.next();
            eldest.remove();
            evicted.file.close(); // fsyncs: a write acknowledged through whenDurable stays durable
            evicted.file = null;
        }
        return bucket.file;
    }

    private void delete(Bucket bucket) throws IOException {
        buckets.remove(bucket.id);
        openFiles.remove(bucket.id);
        if (bucket.file != null) {
            bucket.file.delete();
        } else {
            Files.deleteIfExists(bucket.path);
        }
    }

    private void countIn(Bucket bucket, String key, long due) {
        bucket.countIn(key, due);
        liveByKey.merge(key, 1L, Long::sum);
        live++;
    }

    private void countOut(Bucket bucket, String key) {
        bucket.countOut(key);
        liveByKey.computeIfPresent(key, (k, n) -> n == 1 ? null : n - 1);
        live--;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("schedule log " + dir + " is closed");
        }
    }

    /** Fsyncs and closes the open bucket files; wakes a waiting {@link #awaitWork}. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        for (Bucket bucket : buckets.values()) {
            if (bucket.pendingMark != null) {
                writeMark(bucket);
            }
        }
        closed = true;
        notifyAll();
        for (Bucket bucket : openFiles.values()) {
            bucket.file.close();
            bucket.file = null;
        }
        openFiles.clear();
    }
}
