package dev.ferrymq.store;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Fsync latency histogram with power-of-two microsecond buckets, for export as metrics.
 *
 * <pre>
 *   bucket:  0      1      2      3          i              31
 *   range :  <2µs  <4µs   <8µs   <16µs ... [2^i, 2^(i+1)) µs ... everything above
 * </pre>
 *
 * Thread-safe (atomic counters); a snapshot taken while recording may be off by the samples in flight.
 */
public final class FsyncHistogram {

    public static final int BUCKETS = 32;
    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private final LongAdder totalNanos = new LongAdder();

    void record(long nanos) {
        totalNanos.add(nanos);
        long micros = Math.max(1, nanos / 1000);
        int bucket = Math.min(BUCKETS - 1, 63 - Long.numberOfLeadingZeros(micros));
        counts.incrementAndGet(bucket);
    }

    /** Bucket {@code i} counts fsyncs that took at least 2^i µs (bucket 0: under 2 µs) and under 2^(i+1) µs. */
    public long[] snapshot() {
        long[] out = new long[BUCKETS];
        for (int i = 0; i < BUCKETS; i++) {
            out[i] = counts.get(i);
        }
        return out;
    }

    /** Total time of all recorded fsyncs, in nanoseconds (a Prometheus histogram's {@code _sum}). */
    public long totalNanos() {
        return totalNanos.sum();
    }
}
