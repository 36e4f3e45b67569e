package dev.ferrymq.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One segment file of a {@link SegmentLog}: a header followed by record frames.
 *
 * <pre>
 *   0      4          8            12
 *   +------+----------+------------+-------+-------+-----+
 *   |"FMQS"| version  | segment id | frame | frame | ... |
 *   +------+----------+------------+-------+-------+-----+
 *   frame = length:int32 | crc32c:int32 | payload   (see RecordFormat)
 * </pre>
 *
 * With a write buffer ({@link #bufferWrites}) appended frames collect in memory and reach the file in one
 * write when the buffer is full, when the syncer calls {@link #sync} (just before the fsync) or when a reader
 * asks for a frame that is still in the buffer. Without one, every append is its own write.
 *
 * <p>Thread-safety: {@link #append} must be serialised by the caller (the log's append lock); {@link #read},
 * {@link #sync} and the reference count may be used from any thread ({@code size} is volatile and only
 * grows after a frame is completely appended, so readers never see a partial frame). The write buffer and
 * {@code written} are guarded by {@code writeLock}.
 */
final class Segment implements Syncable {

    private static final Logger LOG = LoggerFactory.getLogger(Segment.class);
    static final String MAGIC = "FMQS";
    static final int HEADER = 12;
    static final String SUFFIX = ".seg";
    /** Bytes a read asks for at first: a frame header and a typical message record in one pread. */
    static final int FIRST_READ = 4096;
    /**
     * Bytes a read asks for when it lands at or just past the previous read: a deep queue drained in order reads
     * about sixty 1 KB records per pread instead of one (a pread per message was 40% of the broker's CPU while
     * draining one, async-profiler). Random reads (requeues, priorities) keep to {@link #FIRST_READ}.
     */
    static final int READ_AHEAD = 64 * 1024;

    final int id;
    final Path path;
    private final FileChannel channel;
    private volatile long size;
    /** Bytes [0, written) have been handed to the OS; [written, size) are in {@code pending}. */
    private volatile long written;
    private final Object writeLock = new Object();
    private ByteBuffer pending; // guarded by writeLock; null: appends are written through
    private final AtomicInteger refs = new AtomicInteger();
    private final AtomicBoolean gone = new AtomicBoolean(); // closed or deleted on purpose
    private volatile ReadBlock lastRead; // null until the first read
    /** Set when a record was appended without a reference: the caller may still retain it (see SegmentLog). */
    volatile boolean hasUnownedRecords;

    private Segment(int id, Path path, FileChannel channel, long size) {
        this.id = id;
        this.path = path;
        this.channel = channel;
        this.size = size;
        this.written = size;
    }

    static Path pathFor(Path dir, int id) {
        return dir.resolve(String.format("%010d%s", id, SUFFIX));
    }

    /** Creates a new, empty segment; its header is fsynced, the directory entry is not (caller's job). */
    static Segment create(Path dir, int id) throws IOException {
        Path path = pathFor(dir, id);
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            RecordFormat.writeFully(ch, RecordFormat.header(MAGIC, id), 0);
            ch.force(true);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return new Segment(id, path, ch, HEADER);
    }

    /** Opens a sealed segment without scanning it: only its header is checked. */
    static Segment openSealed(Path path, int id) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            checkHeader(ch, path, id);
            return new Segment(id, path, ch, ch.size());
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Opens the last segment: scans every frame and truncates the file at the first one that is not intact
     * (torn write, zero padding, bad CRC). A header torn by a crash right after creation is rewritten.
     */
    static Segment openLast(Path path, int id) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            long fileSize = ch.size();
            if (fileSize < HEADER || isAllZero(ch, HEADER)) {
                LOG.warn("Segment {} has a torn header ({} bytes); reinitialising it", path, fileSize);
                ch.truncate(0);
                RecordFormat.writeFully(ch, RecordFormat.header(MAGIC, id), 0);
                ch.force(true);
                return new Segment(id, path, ch, HEADER);
            }
            checkHeader(ch, path, id);
            RecordScanner scanner = new RecordScanner(ch, HEADER, fileSize);
            while (scanner.next() != null) {
                // just finding the end
            }
            long validEnd = scanner.offset();
            if (validEnd < fileSize) {
                LOG.warn("Truncating log tail of {} at offset {}: dropped {} bytes ({})", path, validEnd,
                        fileSize - validEnd, scanner.stop());
                ch.truncate(validEnd);
                ch.force(true);
            }
            return new Segment(id, path, ch, validEnd);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    private static void checkHeader(FileChannel ch, Path path, int id) throws IOException {
        int headerId = RecordFormat.checkHeader(ch, path, MAGIC, 1)[0];
        if (headerId != id) {
            throw new StoreCorruptionException(path, 8, "header says segment " + headerId);
        }
    }

    private static boolean isAllZero(FileChannel ch, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n);
        RecordFormat.readFully(ch, buf, 0);
        for (byte b : buf.array()) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    long size() {
        return size;
    }

    /** From now on appends collect in {@code buffer} (a direct buffer saves the JDK a copy per write). */
    void bufferWrites(ByteBuffer buffer) {
        synchronized (writeLock) {
            pending = buffer.clear();
        }
    }

    /** Writes out what is buffered and goes back to writing each append through; returns the buffer. */
    ByteBuffer stopBuffering() throws IOException {
        synchronized (writeLock) {
            writePending();
            ByteBuffer buffer = pending;
            pending = null;
            return buffer;
        }
    }

    /** Bytes appended but not yet handed to the OS. */
    long pendingBytes() {
        return size - written;
    }

    /** Appends a frame holding {@code payload}; returns its offset. Caller serialises appends. */
    int append(byte[] payload) throws IOException {
        RecordFormat.checkPayload(payload);
        int frameLength = RecordFormat.FRAME_HEADER + payload.length;
        long offset = size;
        synchronized (writeLock) {
            if (pending != null && frameLength <= pending.capacity()) {
                if (frameLength > pending.remaining()) {
                    writePending();
                }
                pending.putInt(payload.length).putInt(RecordFormat.crc(payload)).put(payload);
            } else {
                writePending(); // file order is append order
                // On failure nothing advances, so the next append overwrites whatever part was written.
                RecordFormat.writeFully(channel, RecordFormat.frame(payload), offset);
                written = offset + frameLength;
            }
            size = offset + frameLength;
        }
        return (int) offset;
    }

    /** Hands the buffered frames to the OS. */
    void flush() throws IOException {
        synchronized (writeLock) {
            writePending();
        }
    }

    private void writePending() throws IOException { // holds writeLock
        if (pending == null || pending.position() == 0) {
            return;
        }
        int end = pending.position();
        pending.flip();
        try {
            RecordFormat.writeFully(channel, pending, written);
        } catch (IOException e) {
            pending.clear().position(end); // all of it stays pending; a retry rewrites it at the same offset
            throw e;
        }
        written += end;
        pending.clear();
    }

    /** Reads and CRC-checks the frame at {@code offset}. */
    byte[] read(int offset) throws IOException {
        if (offset >= written) {
            flush(); // buffered frames start at or after written: flushes only ever write whole frames
        }
        long end = written; // every frame that starts below it ends at or below it
        if (offset < HEADER) {
            throw new IllegalArgumentException("no record at offset " + offset + " of " + path);
        }
        if (offset + (long) RecordFormat.FRAME_HEADER > end) {
            throw new StoreCorruptionException(path, offset, "record beyond end of segment (" + end + " bytes)");
        }
        ReadBlock block = lastRead;
        if (block == null || !block.holds(offset, RecordFormat.FRAME_HEADER)) {
            // One pread for the frame header and, for records up to a few KiB, the whole payload with it; more
            // when the reads walk forward through the segment.
            boolean forward = block != null && offset >= block.start()
                    && offset < block.start() + block.bytes().length + READ_AHEAD;
            block = ReadBlock.read(channel, offset, (int) Math.min(forward ? READ_AHEAD : FIRST_READ, end - offset));
            lastRead = block;
        }
        int at = offset - block.start();
        ByteBuffer frame = ByteBuffer.wrap(block.bytes(), at, block.bytes().length - at);
        int length = frame.getInt();
        int crc = frame.getInt();
        if (length <= 0 || offset + (long) RecordFormat.FRAME_HEADER + length > end) {
            throw new StoreCorruptionException(path, offset, "bad record length " + length);
        }
        byte[] payload = new byte[length];
        int inBlock = Math.min(length, frame.remaining());
        frame.get(payload, 0, inBlock);
        if (inBlock < length) {
            RecordFormat.readFully(channel, ByteBuffer.wrap(payload, inBlock, length - inBlock),
                    offset + RecordFormat.FRAME_HEADER + inBlock);
        }
        if (RecordFormat.crc(payload) != crc) {
            throw new StoreCorruptionException(path, offset, "CRC mismatch");
        }
        return payload;
    }

    /**
     * Bytes of the segment read by one pread, kept so the next reads inside it need no system call. Immutable:
     * everything below {@code written} never changes, and readers on other threads see a whole block or none.
     */
    private record ReadBlock(int start, byte[] bytes) {
        static ReadBlock read(FileChannel channel, int offset, int length) throws IOException {
            byte[] bytes = new byte[length];
            RecordFormat.readFully(channel, ByteBuffer.wrap(bytes), offset);
            return new ReadBlock(offset, bytes);
        }

        boolean holds(int offset, int length) {
            return offset >= start && offset + (long) length <= start + (long) bytes.length;
        }
    }

    /** Scans every frame up to the current size; a frame that is not intact throws. */
    void scan(RecordVisitor visitor) throws IOException {
        flush();
        RecordScanner scanner = new RecordScanner(channel, HEADER, size);
        byte[] payload;
        while ((payload = scanner.next()) != null) {
            visitor.visit(SegmentLog.position(id, (int) scanner.recordOffset()), payload);
        }
        if (scanner.stop() != RecordScanner.Stop.END) {
            throw new StoreCorruptionException(path, scanner.offset(), "record not intact (" + scanner.stop() + ")");
        }
    }

    int retain() {
        return refs.incrementAndGet();
    }

    /** Returns the count after the decrement; never goes below zero. */
    int release() {
        int after = refs.decrementAndGet();
        if (after < 0) {
            refs.incrementAndGet();
            throw new IllegalStateException("release without retain on segment " + path);
        }
        return after;
    }

    int references() {
        return refs.get();
    }

    @Override
    public void sync() throws IOException {
        try {
            flush();
            channel.force(false); // fdatasync: the size change is flushed as it is needed to read the data
        } catch (ClosedChannelException e) {
            if (!gone.get()) {
                throw e; // closed behind our back (e.g. thread interrupt): data may not be durable
            }
        }
    }

    /** Forces and closes; later syncs are no-ops. Idempotent. */
    void close() throws IOException {
        if (gone.compareAndSet(false, true)) {
            try {
                flush();
                channel.force(false);
            } finally {
                channel.close();
            }
        }
    }

    /** Closes (without forcing: the data is no longer wanted) and removes the file. Returns false if already gone. */
    boolean delete() throws IOException {
        if (!gone.compareAndSet(false, true)) {
            return false;
        }
        synchronized (writeLock) {
            pending = null; // the data is no longer wanted
        }
        channel.close();
        Files.deleteIfExists(path);
        return true;
    }

    @Override
    public String toString() {
        return "Segment[" + path + "]";
    }
}
