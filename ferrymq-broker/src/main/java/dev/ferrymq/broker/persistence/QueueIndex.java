package dev.ferrymq.broker.persistence;

import dev.ferrymq.store.FsyncPolicy;
import dev.ferrymq.store.RecordFile;
import dev.ferrymq.store.Syncable;
import dev.ferrymq.store.Syncer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.LongPredicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The on-disk index of one durable queue: which stored messages it holds, in queue order. An append-only
 * {@link RecordFile} of records
 * <pre>
 * +--------+-------------------+----------------------+-------------+------------------+
 * | 'E'    | position i64      | expires at i64 (ms)  | priority u8 | body size i32    |   enqueued
 * +--------+-------------------+----------------------+-------------+------------------+
 * | 'A'    | position i64      |                          acknowledged (or otherwise removed)
 * +--------+-------------------+
 * </pre>
 * replayed at start-up (live = enqueued and not removed, in enqueue order). When removals far outnumber live
 * entries the file is compacted to just the live 'E' records. An 'E' record written before priority and body
 * size were kept (17 bytes) reads as priority 0, size 0.
 *
 * <p>With the ALWAYS fsync policy 'E' records are buffered in memory until the syncer's next group commit,
 * which writes them with one write before the fsync ({@link #sync()}); a message removed before then (a consumer
 * was waiting and acknowledged it at once) costs no index write at all. Nothing confirmed depends on a buffered
 * record: a publisher confirm waits for that same group commit. 'A' records are written at once, so a processed
 * acknowledgement survives a kill -9. With PERIODIC every record is written at once.
 *
 * <p>Thread-safety: guarded by the owning queue's lock, except {@link #sync()}, which the syncer calls.
 */
public final class QueueIndex implements Syncable {
    private static final Logger LOG = LoggerFactory.getLogger(QueueIndex.class);
    private static final byte ENQUEUED = 'E';
    private static final byte REMOVED = 'A';
    private static final int COMPACT_MIN_REMOVALS = 100_000;

    /** 'E' records buffered before a write, at most this many (about 60 KiB of them). */
    private static final int MAX_PENDING = 2048;

    private final RecordFile file;
    private final Syncer syncer;
    private final boolean buffered;
    /** 'E' records not yet written, by position, in order. Guarded by itself: the syncer flushes it. */
    private final LinkedHashMap<Long, byte[]> pending = new LinkedHashMap<>();
    private long live;
    private long removalsSinceCompaction;

    /**
     * A live entry: where its message is stored, when it expires (0 = never), the priority it is queued by and its
     * body size (for {@code x-max-length-bytes}), so a restart needs no message read to restore either.
     */
    public record Entry(long position, long expiresAt, int priority, int bodySize) {
    }

    private QueueIndex(RecordFile file, Syncer syncer) {
        this.file = file;
        this.syncer = syncer;
        // With PERIODIC a confirm means "written to the OS" at once, so there is no group commit to wait for.
        this.buffered = syncer.policy() == FsyncPolicy.ALWAYS;
    }

    static QueueIndex open(Path path, Syncer syncer) throws IOException {
        return new QueueIndex(RecordFile.open(path, syncer), syncer);
    }

    /** Replays the file: the positions still in the queue, in queue order. Compacts the file to them. */
    public List<Entry> recover() throws IOException {
        return recover(position -> true);
    }

    /**
     * Like {@link #recover()}, keeping only entries whose message {@code stored} confirms. An entry can outlive its
     * message when a power loss keeps the index's last write but not the log's; delivering it would fail forever.
     */
    public List<Entry> recover(LongPredicate stored) throws IOException {
        List<Entry> entries = replay(file.readAll());
        int before = entries.size();
        entries.removeIf(entry -> !stored.test(entry.position()));
        if (entries.size() < before) {
            LOG.warn("{}: dropped {} entries whose message is not in the store (lost in a crash before it was "
                    + "synced)", file.path(), before - entries.size());
        }
        file.rewrite(encodeAll(entries));
        live = entries.size();
        removalsSinceCompaction = 0;
        return entries;
    }

    public void enqueued(long position, long expiresAt, int priority, int bodySize) {
        byte[] record = encode(new Entry(position, expiresAt, priority, bodySize));
        live++;
        if (!buffered) {
            append(record);
            return;
        }
        boolean first;
        boolean full;
        synchronized (pending) {
            first = pending.isEmpty();
            pending.put(position, record);
            full = pending.size() >= MAX_PENDING;
        }
        if (full) {
            flushUnchecked(); // bounds the heap a long group-commit round can take; the syncer still fsyncs it
        }
        syncer.markDirty(this); // after buffering: a whenDurable() issued later makes the syncer flush it
        if (first) {
            // A publisher with confirms already waits for a group commit; one without still expects its
            // persistent message to be on disk within the group-commit delay.
            syncer.requestSync();
        }
    }

    public void removed(long position) {
        live--;
        if (buffered) {
            synchronized (pending) {
                if (pending.remove(position) != null) {
                    return; // enqueued and removed within one group commit: neither record reaches the disk
                }
            }
        }
        // Written at once (its 'E' record already was): once the broker has processed an ack, a kill -9 does not
        // bring the message back.
        append(removal(position));
        removalsWritten(1);
    }

    /**
     * Like {@link #removed} for the first {@code count} of {@code positions} (the entries of a multiple ack): their
     * 'A' records go out in one write instead of one each.
     */
    public void removedAll(long[] positions, int count) {
        List<byte[]> records = new ArrayList<>(count);
        synchronized (pending) {
            for (int i = 0; i < count; i++) {
                live--;
                if (!buffered || pending.remove(positions[i]) == null) {
                    records.add(removal(positions[i]));
                }
            }
        }
        if (records.isEmpty()) {
            return;
        }
        try {
            file.appendAll(records);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        removalsWritten(records.size());
    }

    /** Compacts once written removals outnumber live entries 4:1 (and enough of them piled up). */
    private void removalsWritten(int count) {
        removalsSinceCompaction += count;
        if (removalsSinceCompaction >= COMPACT_MIN_REMOVALS && removalsSinceCompaction > 4 * live) {
            compact();
        }
    }

    /** Many entries removed at once (purge): rewrites the index without them. */
    public void removeAll(Set<Long> positions) {
        try {
            flush();
            List<Entry> remaining = replay(file.readAll());
            remaining.removeIf(entry -> positions.contains(entry.position()));
            file.rewrite(encodeAll(remaining));
            live = remaining.size();
            removalsSinceCompaction = 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void delete() {
        synchronized (pending) {
            pending.clear();
        }
        try {
            file.delete();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the buffered records, then fsyncs the file. Called by the syncer (any thread). */
    @Override
    public void sync() throws IOException {
        flush();
        file.sync();
    }

    private void flushUnchecked() {
        try {
            flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the buffered records in one write, in the order they were made. */
    private void flush() throws IOException {
        synchronized (pending) { // held while writing, so two flushes cannot reorder their records
            if (pending.isEmpty()) {
                return;
            }
            file.writeAll(new ArrayList<>(pending.values()));
            pending.clear();
        }
    }

    private void compact() {
        // Always from the file, even when the count says nothing is live: the count only schedules compactions,
        // and a count that drifted must never be what drops an entry.
        removeAll(Set.of());
    }

    private void append(byte[] record) {
        try {
            file.append(record);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] removal(long position) {
        return ByteBuffer.allocate(9).put(REMOVED).putLong(position).array();
    }

    private static List<Entry> replay(List<byte[]> records) {
        return IndexReplay.replay(records, ENQUEUED);
    }

    private static List<byte[]> encodeAll(List<Entry> entries) {
        List<byte[]> records = new ArrayList<>(entries.size());
        for (Entry entry : entries) {
            records.add(encode(entry));
        }
        return records;
    }

    private static byte[] encode(Entry entry) {
        return ByteBuffer.allocate(22).put(ENQUEUED).putLong(entry.position()).putLong(entry.expiresAt())
                .put((byte) entry.priority()).putInt(entry.bodySize()).array();
    }
}
