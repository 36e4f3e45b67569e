package dev.ferrymq.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads record frames (see {@link RecordFormat}) sequentially from a file region through a 64 KiB buffer and
 * stops at the first frame that is not intact. Used for tail recovery, {@code verify()} and full scans.
 *
 * <pre>
 *   start                                             end
 *   | frame | frame | frame | ????????????????????????|
 *                           ^ offset() after next() returned null; stop() says why
 * </pre>
 *
 * Not thread-safe: one scanner per scan. The file region must not shrink while scanning.
 */
final class RecordScanner {

    enum Stop {
        /** Clean end: the last frame ends exactly at the region end. */
        END,
        /** Fewer bytes left than the frame needs (torn write). */
        TORN,
        /** A zero length where a frame should start (zero padding or a preallocated tail). */
        ZERO_LENGTH,
        /** A negative length. */
        BAD_LENGTH,
        /** The payload does not match its CRC. */
        BAD_CRC
    }

    private static final int BUFFER = 64 * 1024;

    private final FileChannel ch;
    private final long end;
    private final ByteBuffer buf = ByteBuffer.allocate(BUFFER);
    private long bufStart = -1; // file offset of buf[0]; buf.limit() = bytes valid
    private long offset;
    private long recordOffset = -1;
    private Stop stop;

    RecordScanner(FileChannel ch, long start, long end) {
        this.ch = ch;
        this.offset = start;
        this.end = end;
    }

    /** The next intact payload, or null once the scan stopped (then see {@link #stop()}, {@link #offset()}). */
    byte[] next() throws IOException {
        if (stop != null) {
            return null;
        }
        long left = end - offset;
        if (left == 0) {
            return stopWith(Stop.END);
        }
        if (left < RecordFormat.FRAME_HEADER) {
            // A few trailing zero bytes are padding, not a torn frame; the caller truncates either way.
            return stopWith(allZero(offset, (int) left) ? Stop.ZERO_LENGTH : Stop.TORN);
        }
        ByteBuffer header = ByteBuffer.wrap(read(offset, RecordFormat.FRAME_HEADER));
        int length = header.getInt();
        int crc = header.getInt();
        if (length == 0) {
            return stopWith(Stop.ZERO_LENGTH);
        }
        if (length < 0) {
            return stopWith(Stop.BAD_LENGTH);
        }
        if (length > left - RecordFormat.FRAME_HEADER) {
            return stopWith(Stop.TORN);
        }
        byte[] payload = read(offset + RecordFormat.FRAME_HEADER, length);
        if (RecordFormat.crc(payload) != crc) {
            return stopWith(Stop.BAD_CRC);
        }
        recordOffset = offset;
        offset += RecordFormat.FRAME_HEADER + length;
        return payload;
    }

    /** Offset of the payload last returned by {@link #next()}. */
    long recordOffset() {
        return recordOffset;
    }

    /** Offset just after the last intact frame (where the scan stopped, once it stopped). */
    long offset() {
        return offset;
    }

    /** Why the scan stopped; null while it has not. */
    Stop stop() {
        return stop;
    }

    private byte[] stopWith(Stop s) {
        stop = s;
        return null;
    }

    private boolean allZero(long pos, int n) throws IOException {
        for (byte b : read(pos, n)) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private byte[] read(long pos, int n) throws IOException {
        byte[] out = new byte[n];
        if (n > BUFFER) { // big payloads bypass the buffer
            RecordFormat.readFully(ch, ByteBuffer.wrap(out), pos);
            return out;
        }
        if (bufStart < 0 || pos < bufStart || pos + n > bufStart + buf.limit()) {
            buf.clear();
            buf.limit((int) Math.min(BUFFER, end - pos));
            RecordFormat.readFully(ch, buf, pos);
            bufStart = pos;
        }
        buf.get((int) (pos - bufStart), out, 0, n);
        return out;
    }
}
