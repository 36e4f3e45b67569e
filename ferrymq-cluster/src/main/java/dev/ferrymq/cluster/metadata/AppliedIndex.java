package dev.ferrymq.cluster.metadata;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The log index of the last metadata command this node's broker applied, kept beside the Raft storage. The broker
 * keeps its own definitions on disk, so after a restart it is already as far as this index: the log entries up
 * to it (replayed from the last snapshot) and a snapshot not newer than it must not be applied again (a replayed
 * "delete queue, declare queue" would lose the messages it has since). Written after each applied command, to a
 * temporary file renamed over the old one. Not thread-safe: the metadata group's apply thread uses it.
 */
final class AppliedIndex {
    private final Path file;
    private long index;

    AppliedIndex(Path file) {
        this.file = file;
        try {
            index = Files.exists(file) ? ByteBuffer.wrap(Files.readAllBytes(file)).getLong() : -1;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    long get() {
        return index;
    }

    void set(long applied) {
        index = applied;
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.write(temporary, ByteBuffer.allocate(Long.BYTES).putLong(applied).array());
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
