package dev.ferrymq.server.alarm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/** Free space of the file system holding a directory, for the disk alarm. Thread-safe. */
public final class DiskProbe implements LongSupplier {
    private final Path directory;

    public DiskProbe(Path directory) {
        this.directory = directory;
    }

    /** Usable bytes, or -1 if the file system cannot be queried (then no disk alarm is raised). */
    @Override
    public long getAsLong() {
        try {
            return Files.getFileStore(directory).getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }
}
