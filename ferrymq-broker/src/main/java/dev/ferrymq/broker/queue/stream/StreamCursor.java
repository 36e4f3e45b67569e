package dev.ferrymq.broker.queue.stream;

import java.io.IOException;

/**
 * Where one consumer reads a stream: the next offset and, once known, the store position of its record. It reads
 * one committed record at a time from the segment files (nothing of the stream stays on the heap but the record
 * in hand). When retention deleted the segment under it, it moves on to the oldest offset left, as RabbitMQ's
 * readers do. Used under the stream's dispatch lock only.
 */
final class StreamCursor {
    private final StreamLog log;
    private long nextOffset;
    /** The position of the record at {@code nextOffset}, or -1 when it must be found. */
    private long position = -1;
    /** The position and record read last, to step to the following one without seeking; -1 when none. */
    private long previousPosition = -1;
    private StreamRecord previous;
    /** Read but not yet taken by the consumer. */
    private StreamRecord pending;

    StreamCursor(StreamLog log, long startOffset) {
        this.log = log;
        this.nextOffset = startOffset;
    }

    /** The committed record at the cursor, or null when the consumer has read everything committed. */
    StreamRecord peek() throws IOException {
        if (pending != null) {
            return pending;
        }
        for (int attempt = 0; ; attempt++) {
            if (nextOffset < log.firstOffset()) {
                restartAt(log.firstOffset());
            }
            if (nextOffset >= log.committedEnd()) {
                return null;
            }
            try {
                pending = readNext();
                return pending;
            } catch (IOException | IllegalStateException e) {
                if (attempt > 0 || nextOffset >= log.firstOffset()) {
                    throw e; // not retention deleting the segment under us
                }
            }
        }
    }

    private StreamRecord readNext() throws IOException {
        if (position < 0) {
            position = previous != null ? log.after(previousPosition, previous) : log.seek(nextOffset);
        }
        if (position < 0) {
            throw new IOException("stream record " + nextOffset + " not found below the committed end");
        }
        StreamRecord record = log.read(position);
        if (record.offset() != nextOffset) {
            throw new IOException("stream record at " + Long.toHexString(position) + " has offset "
                    + record.offset() + ", expected " + nextOffset);
        }
        return record;
    }

    /** The consumer took the record {@link #peek()} returned. */
    void advance() {
        previousPosition = position;
        previous = new StreamRecord(pending.offset(), pending.timestamp(), null, pending.payloadLength());
        pending = null;
        position = -1;
        nextOffset++;
    }

    private void restartAt(long offset) {
        nextOffset = offset;
        position = -1;
        previous = null;
        pending = null;
    }

    long nextOffset() {
        return nextOffset;
    }
}
