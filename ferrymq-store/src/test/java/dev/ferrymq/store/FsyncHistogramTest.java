package dev.ferrymq.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FsyncHistogramTest {

    @Test
    void bucketsArePowersOfTwoMicrosecondsAndTheSumIsExact() {
        FsyncHistogram histogram = new FsyncHistogram();
        histogram.record(500);          // 0.5 µs -> bucket 0 (under 2 µs)
        histogram.record(3_000);        // 3 µs   -> bucket 1 [2, 4)
        histogram.record(1_000_000);    // 1 ms   -> bucket 9 [512, 1024)
        histogram.record(Long.MAX_VALUE / 2); // far beyond -> last bucket

        long[] counts = histogram.snapshot();
        assertThat(counts[0]).isEqualTo(1);
        assertThat(counts[1]).isEqualTo(1);
        assertThat(counts[9]).isEqualTo(1);
        assertThat(counts[FsyncHistogram.BUCKETS - 1]).isEqualTo(1);
        assertThat(histogram.totalNanos()).isEqualTo(500 + 3_000 + 1_000_000 + Long.MAX_VALUE / 2);
    }
}
