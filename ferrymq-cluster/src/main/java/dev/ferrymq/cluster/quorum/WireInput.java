package dev.ferrymq.cluster.quorum;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads what {@link WireOutput} wrote. Every length is checked against a bound before anything is allocated,
 * so a corrupt entry or snapshot fails with an {@link IOException} instead of an out-of-memory error.
 */
final class WireInput {
    private final DataInputStream in;
    private final long limit;
    private long consumed;

    WireInput(byte[] bytes) {
        this(new ByteArrayInputStream(bytes), bytes.length);
    }

    /** @param limit how many bytes the stream holds at most (a snapshot file's size) */
    WireInput(InputStream in, long limit) {
        this.in = new DataInputStream(in);
        this.limit = limit;
    }

    int readByte() throws IOException {
        consumed += 1;
        return in.readUnsignedByte();
    }

    boolean readBoolean() throws IOException {
        return readByte() != 0;
    }

    int readInt() throws IOException {
        consumed += 4;
        return in.readInt();
    }

    long readLong() throws IOException {
        consumed += 8;
        return in.readLong();
    }

    String readString() throws IOException {
        int length = readLength(1);
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw new IOException("truncated string");
        }
        consumed += length;
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }

    byte[] readBytes() throws IOException {
        int length = readLength(1);
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw new IOException("truncated byte array");
        }
        consumed += length;
        return bytes;
    }

    List<Long> readLongs() throws IOException {
        int count = readLength(8);
        List<Long> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            values.add(readLong());
        }
        return values;
    }

    /** A count of items of at least {@code minItemSize} bytes each, bounded by what is left to read. */
    int readLength(int minItemSize) throws IOException {
        int count = readInt();
        if (count < 0 || (long) count * minItemSize > limit - consumed) {
            throw new IOException("length " + count + " exceeds the remaining " + (limit - consumed) + " bytes");
        }
        return count;
    }

    void expectEnd() throws IOException {
        if (in.read() != -1) {
            throw new IOException("trailing bytes");
        }
    }
}
