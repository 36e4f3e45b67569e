package dev.ferrymq.broker.persistence;

import dev.ferrymq.store.RecordFile;
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
 * size were kept (17 bytes) reads as priority 0, size 0. Guarded by the owning queue's lock.
 */
public final class QueueIndex {
    private static final Logger LOG = LoggerFactory.getLogger(QueueIndex.class);
    private static final byte ENQUEUED = 'E';
    private static final byte REMOVED = 'A';
    private static final int COMPACT_MIN_REMOVALS = 100_000;

    private final RecordFile file;
    private long live;
    private long removalsSinceCompaction;

    /**
     * A live entry: where its message is stored, when it expires (0 = never), the priority it is queued by and its
     * body size (for {@code x-max-length-bytes}), so a restart needs no message read to restore either.
     */
    public record Entry(long position, long expiresAt, int priority, int bodySize) {
    }

    private QueueIndex(RecordFile file) {
        this.file = file;
    }

    static QueueIndex open(Path path, Syncer syncer) throws IOException {
        return new QueueIndex(RecordFile.open(path, syncer));
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
        append(encode(new Entry(position, expiresAt, priority, bodySize)));
        live++;
    }

    public void removed(long position) {
        append(ByteBuffer.allocate(9).put(REMOVED).putLong(position).array());
        live--;
        removalsSinceCompaction++;
        if (removalsSinceCompaction >= COMPACT_MIN_REMOVALS && removalsSinceCompaction > 4 * live) {
            compact();
        }
    }

    /** Many entries removed at once (purge): rewrites the index without them. */
    public void removeAll(Set<Long> positions) {
        try {
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
        try {
            file.delete();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void compact() {
        removeAll(Set.of());
    }

    private void append(byte[] record) {
        try {
            file.append(record);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Entry> replay(List<byte[]> records) {
        LinkedHashMap<Long, Entry> entries = new LinkedHashMap<>();
        for (byte[] record : records) {
            ByteBuffer in = ByteBuffer.wrap(record);
            byte op = in.get();
            long position = in.getLong();
            if (op == ENQUEUED) {
                long expiresAt = in.getLong();
                boolean sized = in.remaining() >= 5;
                entries.put(position, new Entry(position, expiresAt, sized ? in.get() & 0xFF : 0,
                        sized ? in.getInt() : 0));
            } else {
                entries.remove(position);
            }
        }
        return new ArrayList<>(entries.values());
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
