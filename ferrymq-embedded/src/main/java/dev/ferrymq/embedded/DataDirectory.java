package dev.ferrymq.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Where an embedded broker keeps its store. {@link #inMemory()}: a fresh directory on tmpfs ({@code /dev/shm}, RAM
 * on Linux), or under {@code java.io.tmpdir} where there is none, deleted when the broker is closed.
 * {@link #at(Path)}: the caller's directory, kept.
 *
 * <p>Why a tmpfs directory rather than a store with no files at all: the broker's store, paging and recovery all
 * work on files (ferrymq-store); an in-memory file system gives "nothing on disk" without a second store to keep
 * in step, and {@link FerryMQBroker#restart()} recovers from it like a real restart.
 */
final class DataDirectory {
    private static final Path TMPFS = Path.of("/dev/shm");

    private final Path path;
    private final boolean owned;

    private DataDirectory(Path path, boolean owned) {
        this.path = path;
        this.owned = owned;
    }

    static DataDirectory inMemory() {
        Path parent = Files.isDirectory(TMPFS) && Files.isWritable(TMPFS) ? TMPFS
                : Path.of(System.getProperty("java.io.tmpdir"));
        try {
            return new DataDirectory(Files.createTempDirectory(parent, "ferrymq-embedded-"), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a data directory under " + parent, e);
        }
    }

    static DataDirectory at(Path path) {
        return new DataDirectory(path, false);
    }

    Path path() {
        return path;
    }

    /** Whether the directory is the broker's own (in memory), deleted by {@link #release()}. */
    boolean owned() {
        return owned;
    }

    /** Deletes the directory if it is the broker's own. */
    void release() throws IOException {
        if (!owned) {
            return;
        }
        try {
            Files.walkFileTree(path, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException gone) {
            // already deleted
        }
    }
}
