package dev.ferrymq.broker.exchange.delayed;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How late delayed messages were routed: routing time minus due time, in whole milliseconds (both wall-clock,
 * since the due time is), in one-millisecond buckets up to a minute plus one for anything later. Quantiles are
 * exact to the millisecond below a minute.
 *
 * <p>Thread-safety: thread-safe (atomic counters; a quantile read concurrently with records is approximate).
 */
final class Lateness {
    private static final int MAX_MILLIS = 60_000;
    private final AtomicLongArray counts = new AtomicLongArray(MAX_MILLIS + 2);

    void record(long lateMillis) {
        counts.incrementAndGet((int) Math.max(0, Math.min(lateMillis, MAX_MILLIS + 1)));
    }

    /** The {@code q} quantile (0..1) in ms, or -1 with nothing recorded; {@value #MAX_MILLIS} + 1 means "later". */
    long quantile(double q) {
        long total = 0;
        for (int i = 0; i < counts.length(); i++) {
            total += counts.get(i);
        }
        if (total == 0) {
            return -1;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < counts.length(); i++) {
            seen += counts.get(i);
            if (seen >= Math.max(1, rank)) {
                return i;
            }
        }
        return counts.length() - 1;
    }
}
