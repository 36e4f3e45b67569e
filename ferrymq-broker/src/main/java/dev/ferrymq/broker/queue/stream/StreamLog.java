package dev.ferrymq.broker.queue.stream;

import dev.ferrymq.broker.Message;
import dev.ferrymq.store.SegmentLog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * A stream's messages: an append-only {@link SegmentLog} of {@link StreamRecord}s numbered from offset 0, with a
 * sparse {@link OffsetIndex}. Offsets below {@link #committedEnd()} are durable (the shared group commit fsynced
 * them) and readable; consumers never see a record that a crash could take back, so an offset always names the
 * same message. Retention deletes whole segments from the head ({@link #deleteOldestSegment}).
 *
 * <p>Thread-safety: appends and retention are serialised by the monitor; reads ({@link #read}, {@link #seek}) run
 * concurrently on any thread and see a head segment deleted under them as an exception (see {@link StreamCursor}).
 */
final class StreamLog {
    private final SegmentLog log;
    private final OffsetIndex index = new OffsetIndex();
    private final Runnable onCommitted;
    private long nextOffset;
    private long lastTimestamp;
    private long sinceIndexEntry;
    private int lastSegment;
    private volatile long firstOffset;
    private volatile long committedEnd;
    /** A group-commit callback is registered and has not run yet (at most one at a time). */
    private boolean commitPending;

    /** Recovers the log's offsets; {@code onCommitted} runs (on the syncer's thread) when more became readable. */
    StreamLog(SegmentLog log, Runnable onCommitted) throws IOException {
        this.log = log;
        this.onCommitted = onCommitted;
        recover();
    }

    /**
     * Start-up: the first record of each segment goes into the index; the last segment holding records is read
     * through to find the next offset. Everything on disk counts as committed (a torn tail was already cut off).
     */
    private void recover() throws IOException {
        List<Integer> ids = log.segmentIds();
        int lastWithRecords = -1;
        for (int id : ids) {
            long start = SegmentLog.segmentStart(id);
            if (log.contains(start)) {
                byte[] payload = log.read(start);
                index.add(StreamRecord.offsetOf(payload), start, StreamRecord.timestampOf(payload));
                lastWithRecords = id;
            }
        }
        if (lastWithRecords < 0) {
            return;
        }
        firstOffset = index.floor(0).offset();
        long position = SegmentLog.segmentStart(lastWithRecords);
        while (position >= 0) {
            byte[] payload = log.read(position);
            nextOffset = StreamRecord.offsetOf(payload) + 1;
            lastTimestamp = StreamRecord.timestampOf(payload);
            if (++sinceIndexEntry >= OffsetIndex.INTERVAL) {
                index.add(nextOffset - 1, position, lastTimestamp);
                sinceIndexEntry = 0;
            }
            position = log.nextPosition(position, payload.length);
        }
        // Not the active segment: after a crash right after a roll that one is empty, and its first record must
        // still be indexed as its start (retention needs it).
        lastSegment = lastWithRecords;
        committedEnd = nextOffset;
    }

    /** Appends a message; returns its offset. It becomes readable once the next group commit made it durable. */
    synchronized long append(Message message) {
        long offset = nextOffset;
        // Timestamps never go backwards along the log, so a timestamp seek can stop at the first later one.
        long timestamp = Math.max(System.currentTimeMillis(), lastTimestamp);
        long position;
        try {
            position = log.append(StreamRecord.encode(offset, timestamp, message));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        nextOffset = offset + 1;
        lastTimestamp = timestamp;
        int segment = SegmentLog.segmentOf(position);
        if (segment != lastSegment || offset == 0 || ++sinceIndexEntry >= OffsetIndex.INTERVAL) {
            index.add(offset, position, timestamp);
            lastSegment = segment;
            sinceIndexEntry = 0;
        }
        if (!commitPending) {
            commitPending = true;
            long upTo = nextOffset; // registered after the write: the fsync it waits for covers it
            log.syncer().whenDurable(() -> committed(upTo));
        }
        return offset;
    }

    private void committed(long upTo) {
        synchronized (this) {
            committedEnd = Math.max(committedEnd, upTo);
            commitPending = false;
            if (nextOffset > committedEnd) {
                commitPending = true;
                long next = nextOffset;
                log.syncer().whenDurable(() -> committed(next));
            }
        }
        onCommitted.run();
    }

    /** One past the last readable offset. */
    long committedEnd() {
        return committedEnd;
    }

    /** The oldest offset still stored (equal to {@link #committedEnd()} when the stream is empty). */
    long firstOffset() {
        return Math.min(firstOffset, committedEnd);
    }

    /** The offset the next publish gets. */
    synchronized long nextOffset() {
        return nextOffset;
    }

    long sizeOnDisk() {
        return log.sizeOnDisk();
    }

    /** Reads the record at {@code position}. */
    StreamRecord read(long position) throws IOException {
        return StreamRecord.decode(log.read(position));
    }

    /** The position of the record after {@code current}. */
    long after(long position, StreamRecord current) {
        return log.nextPosition(position, current.payloadLength());
    }

    /** The position of the committed record {@code offset} (at least {@link #firstOffset()}), reading forward. */
    long seek(long offset) throws IOException {
        OffsetIndex.Entry from = index.floor(offset);
        return forward(from.position(), from.offset(), payload -> StreamRecord.offsetOf(payload) >= offset);
    }

    /** The first committed offset whose timestamp is at or after {@code timestamp}; committedEnd when none. */
    long offsetAt(long timestamp) throws IOException {
        OffsetIndex.Entry from = index.beforeTime(timestamp);
        if (from == null) {
            return committedEnd;
        }
        long position = forward(from.position(), from.offset(),
                payload -> StreamRecord.timestampOf(payload) >= timestamp);
        return position < 0 ? committedEnd : StreamRecord.offsetOf(log.read(position));
    }

    private interface Stop {
        boolean at(byte[] payload);
    }

    /** Reads from {@code position} (record {@code offset}) to the first committed record where stop holds; -1: none. */
    private long forward(long position, long offset, Stop stop) throws IOException {
        long end = committedEnd;
        while (position >= 0 && offset < end) {
            byte[] payload = log.read(position);
            if (stop.at(payload)) {
                return position;
            }
            position = log.nextPosition(position, payload.length);
            offset++;
        }
        return -1;
    }

    /**
     * Deletes the oldest segment if {@code condition} says so given the first index entry of the segment after it,
     * never the active one. Returns whether it deleted one.
     */
    synchronized boolean deleteOldestSegment(RetentionCheck condition) {
        List<Integer> ids = log.segmentIds();
        if (ids.size() < 2) {
            return false;
        }
        OffsetIndex.Entry next = index.segmentStart(ids.get(1));
        if (next == null || !condition.deletes(log.sizeOnDisk(), log.oldestSegmentSize(), next)) {
            return false;
        }
        if (!log.deleteOldestSegment()) {
            return false;
        }
        index.removeUpToSegment(ids.get(0));
        firstOffset = next.offset();
        return true;
    }

    /** Whether retention deletes the oldest segment. */
    interface RetentionCheck {
        boolean deletes(long totalBytes, long oldestBytes, OffsetIndex.Entry nextSegmentStart);
    }

    SegmentLog segmentLog() {
        return log;
    }
}
