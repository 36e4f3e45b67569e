package dev.ferrymq.broker.dedup;

import dev.ferrymq.store.RecordFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The on-disk copy of a durable deduplication exchange's cache, so that it survives a restart (and kill -9: it is
 * on the store's group commit, so a confirmed publish's identity is durable with it). One 16-byte record per
 * identity added ({@code fingerprint i64 | expires at i64}); replayed in order at start-up; rewritten from the
 * cache once it holds more than twice the cache's entries.
 *
 * <p>Thread-safety: thread-safe.
 */
final class DedupJournal {
    private final RecordFile file;
    private final int capacity;
    private long records;

    private DedupJournal(RecordFile file, int capacity, long records) {
        this.file = file;
        this.capacity = capacity;
        this.records = records;
    }

    /** Opens the journal and replays it into {@code cache}, skipping identities already expired. */
    static DedupJournal open(RecordFile file, IdentityCache cache, int capacity) throws IOException {
        List<byte[]> all = file.readAll();
        long now = System.currentTimeMillis();
        for (byte[] record : all) {
            ByteBuffer b = ByteBuffer.wrap(record);
            long fingerprint = b.getLong();
            long expiresAt = b.getLong();
            if (expiresAt > now) {
                cache.restore(fingerprint, expiresAt);
            }
        }
        return new DedupJournal(file, capacity, all.size());
    }

    /** Synchronized with the compaction, so no record lands between its snapshot and its rewrite. */
    synchronized void added(long fingerprint, long expiresAt, IdentityCache cache) {
        try {
            file.append(ByteBuffer.allocate(16).putLong(fingerprint).putLong(expiresAt).array());
            if (++records > Math.max(2L * capacity, 10_000)) {
                long[] entries = cache.snapshot();
                List<byte[]> rewritten = new ArrayList<>(entries.length / 2);
                for (int i = 0; i < entries.length; i += 2) {
                    rewritten.add(ByteBuffer.allocate(16).putLong(entries[i]).putLong(entries[i + 1]).array());
                }
                file.rewrite(rewritten);
                records = rewritten.size();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void delete() {
        try {
            file.delete();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
