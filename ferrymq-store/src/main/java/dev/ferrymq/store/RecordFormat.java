package dev.ferrymq.store;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The on-disk record frame and file header shared by segments and record files, plus positional I/O helpers.
 * All integers are big-endian.
 *
 * <pre>
 * Record frame (never spans files):
 *   0               4               8                      8+length
 *   +---------------+---------------+----------------------+
 *   | length: int32 | crc32c: int32 | payload: length bytes|
 *   +---------------+---------------+----------------------+
 *   length >= 1 (0 marks zero padding / end of log, so empty payloads are not allowed);
 *   crc32c covers the payload only.
 *
 * File header:
 *   0        4                 8
 *   +--------+-----------------+----------------------------+
 *   | magic  | version: int32  | extra (segments: id int32) |
 *   +--------+-----------------+----------------------------+
 *   magic is 4 ASCII bytes: "FMQS" for segments, "FMQR" for record files.
 * </pre>
 *
 * Stateless; thread-safe.
 */
final class RecordFormat {

    static final int FRAME_HEADER = 8;
    static final int VERSION = 1;
    /** Largest payload whose frame plus a segment header still fits in a 2 GiB file. */
    static final int MAX_PAYLOAD = Integer.MAX_VALUE - 64;

    private RecordFormat() {
    }

    static int crc(byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(payload, 0, payload.length);
        return (int) crc.getValue();
    }

    static void checkPayload(byte[] payload) {
        if (payload.length == 0) {
            throw new IllegalArgumentException("empty records are not allowed (length 0 marks the end of a log)");
        }
        if (payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("record too large: " + payload.length);
        }
    }

    /** A frame ready to write (position 0, limit = frame size). */
    static ByteBuffer frame(byte[] payload) {
        checkPayload(payload);
        ByteBuffer buf = ByteBuffer.allocate(FRAME_HEADER + payload.length);
        buf.putInt(payload.length).putInt(crc(payload)).put(payload).flip();
        return buf;
    }

    static ByteBuffer header(String magic, int... extra) {
        ByteBuffer buf = ByteBuffer.allocate(8 + 4 * extra.length);
        buf.put(magic.getBytes(StandardCharsets.US_ASCII)).putInt(VERSION);
        for (int e : extra) {
            buf.putInt(e);
        }
        return buf.flip();
    }

    /**
     * Reads and checks a header written by {@link #header}; returns the extra ints.
     *
     * @throws StoreCorruptionException if the file is too short, or magic or version is wrong
     */
    static int[] checkHeader(FileChannel ch, Path path, String magic, int extraInts) throws IOException {
        int size = 8 + 4 * extraInts;
        if (ch.size() < size) {
            throw new StoreCorruptionException(path, 0, "file shorter than its " + size + "-byte header");
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        readFully(ch, buf, 0);
        buf.flip();
        byte[] m = new byte[4];
        buf.get(m);
        if (!magic.equals(new String(m, StandardCharsets.ISO_8859_1))) {
            throw new StoreCorruptionException(path, 0, "bad magic, expected " + magic);
        }
        int version = buf.getInt();
        if (version != VERSION) {
            throw new StoreCorruptionException(path, 4, "unsupported format version " + version);
        }
        int[] extra = new int[extraInts];
        for (int i = 0; i < extraInts; i++) {
            extra[i] = buf.getInt();
        }
        return extra;
    }

    /** Fills {@code dst} from {@code pos}; EOFException if the file ends first. */
    static void readFully(FileChannel ch, ByteBuffer dst, long pos) throws IOException {
        long p = pos;
        while (dst.hasRemaining()) {
            int n = ch.read(dst, p);
            if (n < 0) {
                throw new EOFException("unexpected end of file at " + p);
            }
            p += n;
        }
    }

    static void writeFully(FileChannel ch, ByteBuffer src, long pos) throws IOException {
        long p = pos;
        while (src.hasRemaining()) {
            p += ch.write(src, p);
        }
    }

    /**
     * Makes a create, delete or rename in {@code dir} durable. Some platforms (Windows) cannot open a
     * directory; there the rename is as durable as the OS makes it and we carry on.
     */
    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            if (System.getProperty("os.name", "").toLowerCase().startsWith("windows")) {
                return;
            }
            throw e;
        }
    }
}
