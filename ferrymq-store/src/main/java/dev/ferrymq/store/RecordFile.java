package dev.ferrymq.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small append-only file of records (e.g. one per queue: positions of its live messages, acks), compacted
 * by writing a new file and renaming it over the old one.
 *
 * <pre>
 *   0      4          8
 *   +------+----------+-------+-------+-----+
 *   |"FMQR"| version  | frame | frame | ... |     frame = length:int32 | crc32c:int32 | payload
 *   +------+----------+-------+-------+-----+
 *
 *   rewrite:  name.tmp  (header + records, fsynced) ──rename──► name ; fsync directory
 *   open:     a leftover name.tmp (crash during rewrite) is deleted; name is scanned and its
 *             torn/corrupt tail truncated
 * </pre>
 *
 * There is no sealed part: a corrupt record anywhere ends the file (everything after it is dropped and logged).
 *
 * <p>Thread-safety: thread-safe. Mutations are synchronized on this object; {@link #sync()} (called by the
 * {@link Syncer} thread) runs without the lock so appends are not blocked during an fsync.
 */
public final class RecordFile implements Syncable, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RecordFile.class);
    static final String MAGIC = "FMQR";
    static final int HEADER = 8;
    static final String TEMP_SUFFIX = ".tmp";
    /** Bytes gathered per write when the file is rewritten. */
    private static final int REWRITE_CHUNK = 256 * 1024;

    private final Path file;
    private final Path temp;
    private final Syncer syncer;
    private volatile FileChannel channel; // replaced by rewrite()
    private long size;                    // guarded by this
    private volatile boolean gone;        // closed or deleted on purpose

    private RecordFile(Path file, Syncer syncer, FileChannel channel, long size) {
        this.file = file;
        this.temp = tempFor(file);
        this.syncer = syncer;
        this.channel = channel;
        this.size = size;
    }

    private static Path tempFor(Path file) {
        return file.resolveSibling(file.getFileName() + TEMP_SUFFIX);
    }

    /** Opens or creates {@code file}, truncating a torn or corrupt tail. */
    public static RecordFile open(Path file, Syncer syncer) throws IOException {
        Objects.requireNonNull(syncer, "syncer");
        Path dir = file.toAbsolutePath().getParent();
        if (Files.deleteIfExists(tempFor(file))) {
            // The rename never happened, so the original is still complete.
            LOG.warn("Deleted leftover {} from an interrupted rewrite", tempFor(file));
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            long fileSize = ch.size();
            if (fileSize < HEADER) {
                // New file, or a crash before its header was complete: nothing in it can have been a record.
                if (fileSize > 0) {
                    LOG.warn("Record file {} has a torn header ({} bytes); reinitialising it", file, fileSize);
                }
                ch.truncate(0);
                RecordFormat.writeFully(ch, RecordFormat.header(MAGIC), 0);
                ch.force(true);
                RecordFormat.fsyncDirectory(dir);
                return new RecordFile(file, syncer, ch, HEADER);
            }
            RecordFormat.checkHeader(ch, file, MAGIC, 0);
            RecordScanner scanner = new RecordScanner(ch, HEADER, fileSize);
            while (scanner.next() != null) {
                // finding the end
            }
            long validEnd = scanner.offset();
            if (validEnd < fileSize) {
                LOG.warn("Truncating record file {} at offset {}: dropped {} bytes ({})", file, validEnd,
                        fileSize - validEnd, scanner.stop());
                ch.truncate(validEnd);
                ch.force(true);
            }
            return new RecordFile(file, syncer, ch, validEnd);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Appends a record; it is in the OS when this returns. Use the syncer's whenDurable for durability. */
    public void append(byte[] record) throws IOException {
        ByteBuffer frame = RecordFormat.frame(record);
        synchronized (this) {
            ensureOpen();
            // On failure size is not advanced: the next append overwrites the partial frame.
            RecordFormat.writeFully(channel, frame, size);
            size += frame.limit();
        }
        syncer.markDirty(this);
    }

    /** Appends {@code records} with one write; like {@link #append}, they are in the OS when this returns. */
    public void appendAll(List<byte[]> records) throws IOException {
        writeAll(records);
        syncer.markDirty(this);
    }

    /**
     * Appends {@code records} with one write and does <em>not</em> mark the file dirty: for a {@link Syncable}
     * that buffers records for this file and fsyncs it itself ({@link #sync()}) when the syncer calls it.
     */
    public void writeAll(List<byte[]> records) throws IOException {
        if (records.isEmpty()) {
            return;
        }
        List<ByteBuffer> frames = frames(records);
        int length = 0;
        for (ByteBuffer f : frames) {
            length += f.limit();
        }
        ByteBuffer all = ByteBuffer.allocate(length);
        for (ByteBuffer f : frames) {
            all.put(f);
        }
        all.flip();
        synchronized (this) {
            ensureOpen();
            RecordFormat.writeFully(channel, all, size); // as in append: a partial write is overwritten next time
            size += length;
        }
    }

    /** Every record in order (the file was validated on open, so a bad record here is corruption). */
    public synchronized List<byte[]> readAll() throws IOException {
        ensureOpen();
        List<byte[]> records = new ArrayList<>();
        RecordScanner scanner = new RecordScanner(channel, HEADER, size);
        byte[] record;
        while ((record = scanner.next()) != null) {
            records.add(record);
        }
        if (scanner.stop() != RecordScanner.Stop.END) {
            throw new StoreCorruptionException(file, scanner.offset(), "record not intact (" + scanner.stop() + ")");
        }
        return records;
    }

    /**
     * Reads the intact records of {@code file} without opening it for writing (another thread may be appending to
     * it through an open {@code RecordFile}): calls {@code visitor} with each record and its frame's offset, and
     * returns the offset where the intact records end, which is where {@link #open} would cut a torn tail.
     */
    public static long scan(Path file, RecordVisitor visitor) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            if (fileSize < HEADER) {
                return HEADER;
            }
            RecordFormat.checkHeader(ch, file, MAGIC, 0);
            RecordScanner scanner = new RecordScanner(ch, HEADER, fileSize);
            long offset = scanner.offset();
            byte[] record;
            while ((record = scanner.next()) != null) {
                visitor.visit(offset, record);
                offset = scanner.offset();
            }
            return scanner.offset();
        }
    }

    /** Calls {@code visitor} with each record and the offset of its frame in the file, in order. */
    public synchronized void forEachRecord(RecordVisitor visitor) throws IOException {
        ensureOpen();
        RecordScanner scanner = new RecordScanner(channel, HEADER, size);
        long offset = scanner.offset();
        byte[] record;
        while ((record = scanner.next()) != null) {
            visitor.visit(offset, record);
            offset = scanner.offset();
        }
        if (scanner.stop() != RecordScanner.Stop.END) {
            throw new StoreCorruptionException(file, scanner.offset(), "record not intact (" + scanner.stop() + ")");
        }
    }

    /**
     * Atomically replaces the content with {@code records}: a crash leaves either the old or the new file.
     * The new content is durable when this returns.
     */
    public synchronized void rewrite(List<byte[]> records) throws IOException {
        ensureOpen();
        List<ByteBuffer> frames = frames(records); // validates everything before touching the disk
        long newSize = HEADER;
        FileChannel next = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            RecordFormat.writeFully(next, RecordFormat.header(MAGIC), 0);
            // Frames are gathered into large writes: a compacted queue index holds one small record per message,
            // and a write each cost 13% of the broker's CPU while a deep queue drained (async-profiler).
            ByteBuffer chunk = ByteBuffer.allocate(REWRITE_CHUNK);
            for (ByteBuffer f : frames) {
                if (f.limit() > chunk.remaining()) {
                    newSize += writeChunk(next, chunk, newSize);
                }
                if (f.limit() > chunk.capacity()) {
                    int n = f.limit();
                    RecordFormat.writeFully(next, f, newSize);
                    newSize += n;
                } else {
                    chunk.put(f);
                }
            }
            newSize += writeChunk(next, chunk, newSize);
            next.force(true);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            next.close();
            Files.deleteIfExists(temp);
            throw e;
        }
        FileChannel old = channel;
        channel = next; // the open channel now refers to the renamed file
        size = newSize;
        old.close();
        RecordFormat.fsyncDirectory(file.toAbsolutePath().getParent());
    }

    /** Writes what {@code chunk} holds at {@code at} and empties it; returns how many bytes it wrote. */
    private static int writeChunk(FileChannel channel, ByteBuffer chunk, long at) throws IOException {
        chunk.flip();
        int n = chunk.limit();
        if (n > 0) {
            RecordFormat.writeFully(channel, chunk, at);
        }
        chunk.clear();
        return n;
    }

    private static List<ByteBuffer> frames(List<byte[]> records) {
        List<ByteBuffer> frames = new ArrayList<>(records.size());
        for (byte[] r : records) {
            frames.add(RecordFormat.frame(r));
        }
        return frames;
    }

    public synchronized long size() {
        return size;
    }

    public Path path() {
        return file;
    }

    /** Fsyncs the current file. Called by the {@link Syncer}; safe from any thread. */
    @Override
    public void sync() throws IOException {
        FileChannel ch = channel;
        try {
            ch.force(false);
        } catch (ClosedChannelException e) {
            // Replaced by rewrite (whose file was fsynced before the swap) or closed/deleted on purpose.
            if (ch == channel && !gone) {
                throw e;
            }
        }
    }

    /** Closes and removes the file. */
    public synchronized void delete() throws IOException {
        gone = true;
        channel.close();
        Files.deleteIfExists(file);
        Files.deleteIfExists(temp);
        RecordFormat.fsyncDirectory(file.toAbsolutePath().getParent());
    }

    /** Fsyncs and closes. Idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (gone) {
            return;
        }
        gone = true;
        try {
            channel.force(false);
        } finally {
            channel.close();
        }
    }

    private void ensureOpen() {
        if (gone) {
            throw new IllegalStateException("record file " + file + " is closed");
        }
    }

    @Override
    public String toString() {
        return "RecordFile[" + file + "]";
    }
}
