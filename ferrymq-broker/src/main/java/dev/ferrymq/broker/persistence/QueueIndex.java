package dev.ferrymq.broker.persistence;

import dev.ferrymq.store.RecordFile;
import dev.ferrymq.store.Syncer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The on-disk index of one durable queue: which stored messages it holds, in queue order. An append-only
 * {@link RecordFile} of 9-byte records,
 * <pre>
 * +--------+-------------------+
 * | op u8  | position i64      |   op 'E' = enqueued, 'A' = acknowledged (or otherwise removed)
 * +--------+-------------------+
 * </pre>
 * replayed at start-up (live = enqueued and not removed, in enqueue order). When removals far outnumber live
 * entries the file is compacted to just the live 'E' records. Guarded by the owning queue's lock.
 */
public final class QueueIndex {
    private static final byte ENQUEUED = 'E';
    private static final byte REMOVED = 'A';
    private static final int COMPACT_MIN_REMOVALS = 100_000;

    private final RecordFile file;
    private long live;
    private long removalsSinceCompaction;

    private QueueIndex(RecordFile file) {
        this.file = file;
    }

    static QueueIndex open(Path path, Syncer syncer) throws IOException {
        return new QueueIndex(RecordFile.open(path, syncer));
    }

    /** Replays the file: the positions still in the queue, in queue order. Compacts the file to them. */
    public List<Long> recover() throws IOException {
        List<Long> positions = replay(file.readAll());
        file.rewrite(encodeAll(positions));
        live = positions.size();
        removalsSinceCompaction = 0;
        return positions;
    }

    public void enqueued(long position) {
        append(ENQUEUED, position);
        live++;
    }

    public void removed(long position) {
        append(REMOVED, position);
        live--;
        removalsSinceCompaction++;
        if (removalsSinceCompaction >= COMPACT_MIN_REMOVALS && removalsSinceCompaction > 4 * live) {
            compact();
        }
    }

    /** Everything removed at once (purge): the index becomes empty. */
    public void clear() {
        try {
            file.rewrite(List.of());
            live = 0;
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
        try {
            file.rewrite(encodeAll(replay(file.readAll())));
            removalsSinceCompaction = 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void append(byte op, long position) {
        try {
            file.append(ByteBuffer.allocate(9).put(op).putLong(position).array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Long> replay(List<byte[]> records) {
        LinkedHashSet<Long> positions = new LinkedHashSet<>();
        for (byte[] record : records) {
            ByteBuffer in = ByteBuffer.wrap(record);
            byte op = in.get();
            long position = in.getLong();
            if (op == ENQUEUED) {
                positions.add(position);
            } else {
                positions.remove(position);
            }
        }
        return new ArrayList<>(positions);
    }

    private static List<byte[]> encodeAll(List<Long> positions) {
        List<byte[]> records = new ArrayList<>(positions.size());
        for (long position : positions) {
            records.add(ByteBuffer.allocate(9).put(ENQUEUED).putLong(position).array());
        }
        return records;
    }
}
