package dev.ferrymq.store;

import java.util.Objects;

/**
 * Store tuning. Immutable, hence thread-safe.
 *
 * @param segmentSize               target size of a segment file in bytes; a record that does not fit in the
 *                                  active segment starts a new one (a record bigger than this gets its own)
 * @param fsyncPolicy               see {@link FsyncPolicy}
 * @param periodicFsyncMillis       fsync period with {@link FsyncPolicy#PERIODIC}
 * @param maxGroupCommitDelayMicros with {@link FsyncPolicy#ALWAYS}: how long the syncer waits after the first
 *                                  pending callback for more callers to join the same fsync; 0 = no wait
 *                                  (callers arriving during an fsync still share the next one)
 */
public record StoreConfig(long segmentSize, FsyncPolicy fsyncPolicy, long periodicFsyncMillis,
                          long maxGroupCommitDelayMicros) {

    public static final long DEFAULT_SEGMENT_SIZE = 64L * 1024 * 1024;
    /** Small enough for tests, large enough that a header plus a record always fits. */
    public static final long MIN_SEGMENT_SIZE = 1024;

    public StoreConfig {
        Objects.requireNonNull(fsyncPolicy, "fsyncPolicy");
        // Offsets are stored in the low 32 bits of a position; staying below 2 GiB keeps them non-negative ints.
        if (segmentSize < MIN_SEGMENT_SIZE || segmentSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("segmentSize must be in [" + MIN_SEGMENT_SIZE + ", "
                    + Integer.MAX_VALUE + "]: " + segmentSize);
        }
        if (periodicFsyncMillis <= 0) {
            throw new IllegalArgumentException("periodicFsyncMillis must be > 0: " + periodicFsyncMillis);
        }
        if (maxGroupCommitDelayMicros < 0) {
            throw new IllegalArgumentException("maxGroupCommitDelayMicros must be >= 0: " + maxGroupCommitDelayMicros);
        }
    }

    /** 64 MiB segments, {@link FsyncPolicy#ALWAYS}, 1000 ms period, 2000 µs group-commit delay. */
    public static StoreConfig defaults() {
        return new StoreConfig(DEFAULT_SEGMENT_SIZE, FsyncPolicy.ALWAYS, 1000, 2000);
    }

    public StoreConfig withSegmentSize(long v) {
        return new StoreConfig(v, fsyncPolicy, periodicFsyncMillis, maxGroupCommitDelayMicros);
    }

    public StoreConfig withFsyncPolicy(FsyncPolicy v) {
        return new StoreConfig(segmentSize, v, periodicFsyncMillis, maxGroupCommitDelayMicros);
    }

    public StoreConfig withPeriodicFsyncMillis(long v) {
        return new StoreConfig(segmentSize, fsyncPolicy, v, maxGroupCommitDelayMicros);
    }

    public StoreConfig withMaxGroupCommitDelayMicros(long v) {
        return new StoreConfig(segmentSize, fsyncPolicy, periodicFsyncMillis, v);
    }
}
