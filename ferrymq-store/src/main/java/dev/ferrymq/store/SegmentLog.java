package dev.ferrymq.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Append-only segmented log of CRC-checked opaque records.
 *
 * <pre>
 * dir/
 *   LOCK                 held with a FileLock while open (one process per directory)
 *   0000000001.seg       sealed  ─┐ only the header is checked at open
 *   0000000002.seg       sealed  ─┘ (verify() scans them)
 *   0000000003.seg       active: scanned at open, torn tail truncated; appends go here
 *
 * position (long):
 *   63            32 31             0
 *   +---------------+---------------+
 *   |  segment id   | offset in seg |
 *   +---------------+---------------+
 * </pre>
 *
 * Segment and frame layouts: see {@link Segment} and {@link RecordFormat}.
 *
 * <p>Reference counts live in memory only and start at zero on open; the owner retains each live position it
 * recovered and then calls {@link #recoveryComplete()}. From then on a segment that is not the active one and
 * has no references is deleted.
 *
 * <p>Thread-safety: thread-safe. Appends (and rolls) are serialised by one lock; reads are positional reads (a read
 * of a record still in the write buffer first writes the buffer out); reference counts are atomics. Do not interrupt
 * threads doing I/O here: an interrupt closes the shared FileChannel ({@code ClosedByInterruptException}) for every
 * thread.
 */
public final class SegmentLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentLog.class);
    private static final Pattern SEGMENT_NAME = Pattern.compile("(\\d{10})\\.seg");
    /**
     * With {@link FsyncPolicy#ALWAYS} appends collect in a buffer of this size and reach the file in one write per
     * group commit (or per full buffer) instead of one write each; 64 KiB holds a group commit of 1 KB messages
     * at tens of thousands per second.
     */
    static final int WRITE_BUFFER_SIZE = 64 * 1024;

    private final Path dir;
    private final StoreConfig config;
    private final Syncer syncer;
    private final boolean ownsSyncer;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final ConcurrentSkipListMap<Integer, Segment> segments;
    private final ReentrantLock appendLock = new ReentrantLock();
    private volatile Segment active;
    private volatile boolean recovered;
    private volatile boolean closed;

    private SegmentLog(Path dir, StoreConfig config, Syncer syncer, boolean ownsSyncer, FileChannel lockChannel,
                       FileLock lock, ConcurrentSkipListMap<Integer, Segment> segments, Segment active) {
        this.dir = dir;
        this.config = config;
        this.syncer = syncer;
        this.ownsSyncer = ownsSyncer;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.segments = segments;
        this.active = active;
        if (syncer.policy() == FsyncPolicy.ALWAYS) {
            active.bufferWrites(ByteBuffer.allocateDirect(WRITE_BUFFER_SIZE));
        }
    }

    /** Opens (recovering) the log in {@code dir} with its own {@link Syncer}, closed with the log. */
    public static SegmentLog open(Path dir, StoreConfig config) throws IOException {
        Syncer syncer = new Syncer(config);
        try {
            return open(dir, config, syncer, true);
        } catch (IOException | RuntimeException e) {
            syncer.close();
            throw e;
        }
    }

    /** Opens (recovering) the log in {@code dir}, using a shared {@link Syncer} that the caller closes. */
    public static SegmentLog open(Path dir, StoreConfig config, Syncer syncer) throws IOException {
        return open(dir, config, syncer, false);
    }

    private static SegmentLog open(Path dir, StoreConfig config, Syncer syncer, boolean ownsSyncer)
            throws IOException {
        Files.createDirectories(dir);
        FileChannel lockChannel = FileChannel.open(dir.resolve("LOCK"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockChannel.close();
            throw new IOException("store directory " + dir + " is already open (LOCK is held)");
        }
        ConcurrentSkipListMap<Integer, Segment> segments = new ConcurrentSkipListMap<>();
        try {
            List<Integer> ids = listSegmentIds(dir);
            for (int i = 0; i < ids.size(); i++) {
                int id = ids.get(i);
                Path path = Segment.pathFor(dir, id);
                boolean last = i == ids.size() - 1;
                segments.put(id, last ? Segment.openLast(path, id) : Segment.openSealed(path, id));
            }
            if (segments.isEmpty()) {
                segments.put(1, Segment.create(dir, 1));
                RecordFormat.fsyncDirectory(dir);
            }
            Segment active = segments.lastEntry().getValue();
            LOG.info("Opened segment log {}: {} segments, active {} ({} bytes)", dir, segments.size(),
                    active.path.getFileName(), active.size());
            return new SegmentLog(dir, config, syncer, ownsSyncer, lockChannel, lock, segments, active);
        } catch (IOException | RuntimeException e) {
            for (Segment s : segments.values()) {
                closeQuietly(s);
            }
            lockChannel.close(); // releases the lock
            throw e;
        }
    }

    private static List<Integer> listSegmentIds(Path dir) throws IOException {
        List<Integer> ids = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + Segment.SUFFIX)) {
            for (Path f : files) {
                Matcher m = SEGMENT_NAME.matcher(f.getFileName().toString());
                if (m.matches()) {
                    ids.add(Integer.parseInt(m.group(1)));
                } else {
                    LOG.warn("Ignoring unexpected file {} in segment log", f);
                }
            }
        }
        ids.sort(null);
        return ids;
    }

    static long position(int segmentId, int offset) {
        return ((long) segmentId << 32) | (offset & 0xFFFF_FFFFL);
    }

    static int segmentId(long position) {
        return (int) (position >>> 32);
    }

    static int offset(long position) {
        return (int) position;
    }

    /**
     * Appends a record. With {@link FsyncPolicy#PERIODIC} it is in the OS (survives kill -9, not power loss) when
     * this returns; with {@link FsyncPolicy#ALWAYS} it may wait in the write buffer until the next group commit,
     * which this asks for, so it is on disk within the group-commit delay plus one fsync. Use
     * {@link Syncer#whenDurable} to learn when it is durable. The record carries no reference: with concurrent appenders
     * prefer {@link #append(byte[], int)}, because a segment sealed before the caller's {@link #retain} could
     * otherwise be deleted by a concurrent release of its last other reference.
     *
     * @return the record's position, greater than every earlier position
     */
    public long append(byte[] payload) throws IOException {
        return append(payload, 0);
    }

    /**
     * Appends a record and atomically takes {@code references} references on its segment (as if
     * {@link #retain} had been called that many times).
     */
    public long append(byte[] payload, int references) throws IOException {
        if (references < 0) {
            throw new IllegalArgumentException("references < 0: " + references);
        }
        long frameLength = RecordFormat.FRAME_HEADER + (long) payload.length;
        Segment target;
        int offset;
        boolean firstBuffered;
        appendLock.lock();
        try {
            ensureOpen();
            target = active;
            // Roll unless the segment is empty: a record bigger than segmentSize gets a segment of its own.
            if (target.size() > Segment.HEADER && target.size() + frameLength > config.segmentSize()) {
                target = roll(target);
            }
            boolean nothingBuffered = target.pendingBytes() == 0;
            offset = target.append(payload);
            firstBuffered = nothingBuffered && target.pendingBytes() > 0;
            for (int i = 0; i < references; i++) {
                target.retain();
            }
            if (references == 0) {
                target.hasUnownedRecords = true;
            }
        } finally {
            appendLock.unlock();
        }
        syncer.markDirty(target); // after the write: a whenDurable() issued later must cover it
        if (firstBuffered) {
            syncer.requestSync(); // buffered records reach the disk soon even if nobody waits for them
        }
        return position(target.id, offset);
    }

    /** Seals {@code old} (fsynced, so sealed segments never have torn tails) and starts the next segment. */
    private Segment roll(Segment old) throws IOException {
        old.sync();
        Segment next = Segment.create(dir, old.id + 1);
        ByteBuffer buffer = old.stopBuffering(); // empty after the sync: appends wait for our lock
        if (buffer != null) {
            next.bufferWrites(buffer);
        }
        RecordFormat.fsyncDirectory(dir);
        segments.put(next.id, next);
        active = next;
        // A segment whose records were all released while it was active has nobody left to release it.
        // Segments with unowned records are kept: their appender may not have retained yet.
        if (recovered && old.references() == 0 && !old.hasUnownedRecords) {
            deleteSegment(old);
        }
        return next;
    }

    /** Reads and CRC-checks the record at {@code position}. */
    public byte[] read(long position) throws IOException {
        return segmentFor(position).read(offset(position));
    }

    /**
     * Whether a record may start at {@code position}: its segment exists and the offset is inside it. Cheap (no
     * read): for checking positions recorded elsewhere, e.g. an index fsynced ahead of a torn log tail.
     */
    public boolean contains(long position) {
        Segment s = segments.get(segmentId(position));
        int offset = offset(position);
        return s != null && offset >= Segment.HEADER && offset + (long) RecordFormat.FRAME_HEADER <= s.size();
    }

    /** Adds a reference to the segment holding {@code position}. */
    public void retain(long position) {
        segmentFor(position).retain();
    }

    /**
     * Drops a reference. Once {@link #recoveryComplete()} was called, a segment that is not the active one and
     * has no references left is deleted.
     */
    public void release(long position) {
        Segment s = segmentFor(position);
        if (s.release() == 0 && recovered && s != active) {
            deleteSegment(s);
        }
    }

    /** Called once the owner has retained every live position: deletes unreferenced non-active segments. */
    public void recoveryComplete() {
        recovered = true;
        for (Segment s : segments.values()) {
            if (s != active && s.references() == 0) {
                deleteSegment(s);
            }
        }
    }

    private void deleteSegment(Segment s) {
        if (closed) {
            return;
        }
        try {
            if (s.delete()) {
                segments.remove(s.id, s);
                LOG.debug("Deleted unreferenced segment {}", s.path);
            }
        } catch (IOException e) {
            // Harmless: with no references it will be deleted again after the next start-up's recovery.
            segments.remove(s.id, s);
            LOG.warn("Could not delete segment {}", s.path, e);
        }
    }

    private Segment segmentFor(long position) {
        Segment s = segments.get(segmentId(position));
        if (s == null) {
            throw new IllegalStateException("no segment for position " + Long.toHexString(position)
                    + " (never written or already deleted)");
        }
        return s;
    }

    // ---------------------------------------------------------------- reading in order, deleting from the head
    // For an owner that reads the log as a sequence (a stream) and deletes whole segments from the head itself,
    // instead of counting references: it never calls recoveryComplete(), so release() and roll() delete nothing.

    /** The position of the first record of the oldest segment (it may hold no record yet: check with contains). */
    public long firstPosition() {
        return position(segments.firstKey(), Segment.HEADER);
    }

    /** The position of the first record of segment {@code segmentId}. */
    public static long segmentStart(int segmentId) {
        return position(segmentId, Segment.HEADER);
    }

    /** The id of the segment holding {@code position}. */
    public static int segmentOf(long position) {
        return segmentId(position);
    }

    /**
     * The position of the record after the one at {@code position} (whose payload is {@code payloadLength} bytes
     * long), or -1 when none has been appended yet. Looks at the next segment first: once it exists the segment
     * of {@code position} is sealed, so a record appended just before the roll is never skipped.
     */
    public long nextPosition(long position, int payloadLength) {
        int id = segmentId(position);
        boolean nextSegmentExists = segments.containsKey(id + 1);
        long following = position(id, offset(position) + RecordFormat.FRAME_HEADER + payloadLength);
        if (contains(following)) {
            return following;
        }
        long nextStart = position(id + 1, Segment.HEADER);
        return nextSegmentExists && contains(nextStart) ? nextStart : -1; // a new segment may be empty so far
    }

    /** Ids of the segments, oldest first. */
    public List<Integer> segmentIds() {
        return List.copyOf(segments.keySet());
    }

    /**
     * Deletes the oldest segment, unless it is the active one (retention from the head). Returns whether it did.
     * Readers of a deleted segment get an {@link IllegalStateException} or an {@link IOException} and must move on
     * to {@link #firstPosition()}.
     */
    public boolean deleteOldestSegment() {
        appendLock.lock();
        try {
            Segment oldest = segments.firstEntry().getValue();
            if (oldest == active || closed) {
                return false;
            }
            deleteSegment(oldest);
            return true;
        } finally {
            appendLock.unlock();
        }
    }

    /** Bytes in the oldest segment, header included. */
    public long oldestSegmentSize() {
        return segments.firstEntry().getValue().size();
    }

    /** Visits every record of every segment in log order; a record that is not intact throws. */
    public void forEachRecord(RecordVisitor visitor) throws IOException {
        for (Segment s : segments.values()) {
            s.scan(visitor);
        }
    }

    /**
     * Scans every segment fully and checks every CRC.
     *
     * @return the number of intact records
     * @throws StoreCorruptionException naming the file and offset of the first record that is not intact
     */
    public long verify() throws IOException {
        long[] count = new long[1];
        forEachRecord((position, payload) -> count[0]++);
        return count[0];
    }

    public long sizeOnDisk() {
        long total = 0;
        for (Segment s : segments.values()) {
            total += s.size();
        }
        return total;
    }

    public int segmentCount() {
        return segments.size();
    }

    /** Id of the segment appends currently go to (never deleted by release). */
    public int activeSegmentId() {
        return active.id;
    }

    public Path directory() {
        return dir;
    }

    public Syncer syncer() {
        return syncer;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("segment log " + dir + " is closed");
        }
    }

    /** Fsyncs (via the owned syncer, or directly when it is shared) and closes every segment. */
    @Override
    public void close() throws IOException {
        appendLock.lock();
        try {
            if (closed) {
                return;
            }
            if (ownsSyncer) {
                syncer.close(); // final fsync; completes pending callbacks
            }
            closed = true;
            IOException failure = null;
            for (Map.Entry<Integer, Segment> e : segments.entrySet()) {
                try {
                    e.getValue().close();
                } catch (IOException ex) {
                    failure = ex;
                }
            }
            try {
                lock.release();
            } finally {
                lockChannel.close();
            }
            if (failure != null) {
                throw failure;
            }
        } finally {
            appendLock.unlock();
        }
    }

    private static void closeQuietly(Segment s) {
        try {
            s.close();
        } catch (IOException e) {
            LOG.warn("Could not close {}", s.path, e);
        }
    }
}
