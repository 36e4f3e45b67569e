package dev.ferrymq.store;

import java.io.IOException;

/**
 * A file that {@link Syncer} can fsync. Writers call {@link Syncer#markDirty} after each write; the syncer
 * calls {@link #sync()} from its own thread, so implementations must be thread-safe.
 */
public interface Syncable {
    /**
     * Forces everything written so far to stable storage. A file that was deliberately closed or deleted
     * (after forcing it itself, or because its data is no longer needed) returns normally.
     */
    void sync() throws IOException;
}
