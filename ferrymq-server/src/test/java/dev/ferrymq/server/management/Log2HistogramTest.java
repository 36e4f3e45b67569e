package dev.ferrymq.server.management;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class Log2HistogramTest {

    @Test
    void upperBoundsArePowersOfTwoMicrosecondsInSeconds() {
        assertThat(Log2Histogram.upperBoundSeconds(0)).isEqualTo("0.000002");
        assertThat(Log2Histogram.upperBoundSeconds(9)).isEqualTo("0.001024");
        assertThat(Log2Histogram.upperBoundSeconds(24)).isEqualTo("33.554432");
    }

    @Test
    void bucketsAreCumulativeAndSlowSamplesOnlyReachInfinity() {
        long[] counts = new long[32];
        counts[0] = 1;   // < 2 µs
        counts[9] = 2;   // [512, 1024) µs
        counts[30] = 1;  // beyond the last finite bucket
        StringBuilder out = new StringBuilder();
        Log2Histogram.write(out, "x_seconds", "help", counts, 1_500_000_000L);

        assertThat(out.toString()).contains("# TYPE x_seconds histogram\n")
                .contains("x_seconds_bucket{le=\"0.000002\"} 1\n")
                .contains("x_seconds_bucket{le=\"0.000512\"} 1\n")
                .contains("x_seconds_bucket{le=\"0.001024\"} 3\n")
                .contains("x_seconds_bucket{le=\"33.554432\"} 3\n")
                .contains("x_seconds_bucket{le=\"+Inf\"} 4\n")
                .contains("x_seconds_sum 1.5\n")
                .contains("x_seconds_count 4\n");
        assertThat(out.toString().lines().filter(l -> l.startsWith("x_seconds_bucket"))).hasSize(26);
    }
}
