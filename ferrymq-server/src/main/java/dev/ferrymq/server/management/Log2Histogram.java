package dev.ferrymq.server.management;

import java.math.BigDecimal;

/**
 * Writes a store latency histogram with power-of-two microsecond buckets (bucket {@code i} counts samples in
 * [2^i, 2^(i+1)) µs, bucket 0 everything under 2 µs, the last one everything above) as a Prometheus histogram in
 * seconds: cumulative {@code _bucket{le=...}} lines, {@code _sum} and {@code _count}.
 */
final class Log2Histogram {
    /** Finite buckets written: upper bounds 2 µs ... 2^25 µs (about 33.5 s); slower samples only reach +Inf. */
    static final int FINITE_BUCKETS = 25;

    private Log2Histogram() {
    }

    static void write(StringBuilder out, String name, String help, long[] counts, long sumNanos) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" histogram\n");
        long cumulative = 0;
        for (int i = 0; i < counts.length; i++) {
            cumulative += counts[i];
            if (i < FINITE_BUCKETS) {
                out.append(name).append("_bucket{le=\"").append(upperBoundSeconds(i)).append("\"} ")
                        .append(cumulative).append('\n');
            }
        }
        out.append(name).append("_bucket{le=\"+Inf\"} ").append(cumulative).append('\n')
                .append(name).append("_sum ").append(sumNanos / 1e9).append('\n')
                .append(name).append("_count ").append(cumulative).append('\n');
    }

    /** 2^(i+1) µs in seconds, written exactly ("0.000002", "0.001024", "33.554432"). */
    static String upperBoundSeconds(int bucket) {
        return BigDecimal.valueOf(1L << (bucket + 1)).movePointLeft(6).stripTrailingZeros().toPlainString();
    }
}
