package dev.ferrymq.cluster.quorum;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Big-endian primitives, length-prefixed strings and byte arrays: the building blocks of the command, reply
 * and snapshot formats. Not thread-safe.
 */
final class WireOutput {
    private final ByteArrayOutputStream buffer;
    private final DataOutputStream out;

    WireOutput() {
        buffer = new ByteArrayOutputStream(64);
        out = new DataOutputStream(buffer);
    }

    /** Writes straight to {@code target} (a snapshot file); {@link #toByteArray()} is then unavailable. */
    WireOutput(OutputStream target) {
        buffer = null;
        out = new DataOutputStream(target);
    }

    WireOutput writeByte(int value) {
        return run(() -> out.writeByte(value));
    }

    WireOutput writeBoolean(boolean value) {
        return writeByte(value ? 1 : 0);
    }

    WireOutput writeInt(int value) {
        return run(() -> out.writeInt(value));
    }

    WireOutput writeLong(long value) {
        return run(() -> out.writeLong(value));
    }

    WireOutput writeString(String value) {
        return writeBytes(value.getBytes(StandardCharsets.UTF_8));
    }

    WireOutput writeBytes(byte[] value) {
        return run(() -> {
            out.writeInt(value.length);
            out.write(value);
        });
    }

    WireOutput writeLongs(List<Long> values) {
        writeInt(values.size());
        for (long value : values) {
            writeLong(value);
        }
        return this;
    }

    void flush() throws IOException {
        out.flush();
    }

    byte[] toByteArray() {
        return buffer.toByteArray();
    }

    private WireOutput run(IoAction action) {
        try {
            action.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    private interface IoAction {
        void run() throws IOException;
    }
}
