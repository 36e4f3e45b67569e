package dev.ferrymq.store;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Thrown when stored data that must be intact (a sealed segment, a record being read, a file header) is not.
 * The message names the file path and the byte offset. Immutable.
 */
public final class StoreCorruptionException extends IOException {

    private final transient Path file;
    private final long offset;

    public StoreCorruptionException(Path file, long offset, String reason) {
        super("corrupt data in " + file + " at offset " + offset + ": " + reason);
        this.file = file;
        this.offset = offset;
    }

    public Path file() {
        return file;
    }

    public long offset() {
        return offset;
    }
}
