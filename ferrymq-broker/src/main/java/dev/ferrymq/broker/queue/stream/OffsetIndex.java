package dev.ferrymq.broker.queue.stream;

import dev.ferrymq.store.SegmentLog;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A stream's sparse offset index, in memory: offset → (store position, timestamp) for the first record of every
 * segment and for every {@link #INTERVAL}th record appended since start-up (and of the last segment, which
 * recovery scans). A reader seeks to the nearest entry at or below its offset and reads forward from there.
 * Thread-safe (a concurrent sorted map; one appender adds, retention removes from the head).
 */
final class OffsetIndex {
    /** Records between two index entries inside a segment. */
    static final int INTERVAL = 256;

    record Entry(long offset, long position, long timestamp) {
    }

    private final ConcurrentSkipListMap<Long, Entry> entries = new ConcurrentSkipListMap<>();

    void add(long offset, long position, long timestamp) {
        entries.put(offset, new Entry(offset, position, timestamp));
    }

    /** The entry at or below {@code offset}, or the first one; null when the index is empty. */
    Entry floor(long offset) {
        Map.Entry<Long, Entry> e = entries.floorEntry(offset);
        if (e == null) {
            e = entries.firstEntry();
        }
        return e == null ? null : e.getValue();
    }

    /**
     * The last entry whose timestamp is before {@code timestamp} (reading forward from it finds the first record
     * at or after it), or the first entry; null when empty. Timestamps never decrease along the log.
     */
    Entry beforeTime(long timestamp) {
        Entry found = null;
        for (Entry e : entries.values()) {
            if (e.timestamp() >= timestamp) {
                break;
            }
            found = e;
        }
        return found != null ? found : (entries.isEmpty() ? null : entries.firstEntry().getValue());
    }

    /** The first entry of segment {@code segmentId}, or null. */
    Entry segmentStart(int segmentId) {
        long start = SegmentLog.segmentStart(segmentId);
        for (Entry e : entries.values()) {
            if (e.position() == start) {
                return e;
            }
            if (SegmentLog.segmentOf(e.position()) > segmentId) {
                break;
            }
        }
        return null;
    }

    /** Drops the entries of segment {@code segmentId} and older (deleted by retention). */
    void removeUpToSegment(int segmentId) {
        while (!entries.isEmpty() && SegmentLog.segmentOf(entries.firstEntry().getValue().position()) <= segmentId) {
            entries.pollFirstEntry();
        }
    }
}
