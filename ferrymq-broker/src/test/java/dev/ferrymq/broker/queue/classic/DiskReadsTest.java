package dev.ferrymq.broker.queue.classic;

import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.queue.Queue;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A run of entries taken out to read off the lock: bounded, counted as ready, and dropped after a purge. */
class DiskReadsTest {
    private static ReadyEntries ready(int count, int bodySize) {
        ReadyEntries ready = new ReadyEntries(0);
        for (int i = 0; i < count; i++) {
            ready.add(ClassicEntry.inMemory(null, i, new Message("", "", new byte[0], new byte[bodySize], false),
                    Queue.NOT_STORED, Message.NEVER, 0));
        }
        return ready;
    }

    @Test
    void takesAtMostABoundedRunFromTheHeadInOrder() {
        ReadyEntries ready = ready(DiskReads.MAX_ENTRIES + 10, 1);
        DiskReads reads = new DiskReads();
        reads.take(ready, new Tiering(null));
        assertThat(reads.reading()).isTrue();
        assertThat(reads.size()).isEqualTo(DiskReads.MAX_ENTRIES);
        assertThat(reads.entries().get(0).seq()).isZero();
        assertThat(reads.entries().get(DiskReads.MAX_ENTRIES - 1).seq()).isEqualTo(DiskReads.MAX_ENTRIES - 1);
        assertThat(ready.size()).isEqualTo(10);
    }

    @Test
    void aRunStopsAtTheByteBound() {
        ReadyEntries ready = ready(10, (int) (DiskReads.MAX_BYTES / 2));
        DiskReads reads = new DiskReads();
        reads.take(ready, new Tiering(null));
        assertThat(reads.size()).isEqualTo(2);
    }

    @Test
    void aPurgeWhileOutIsReportedWhenTheRunComesBack() {
        DiskReads reads = new DiskReads();
        reads.purged();
        reads.take(ready(3, 1), new Tiering(null));
        assertThat(reads.finish()).as("a purge before the run was taken does not count").isFalse();
        reads.clear();

        reads.take(ready(3, 1), new Tiering(null));
        reads.purged();
        assertThat(reads.finish()).isTrue();
        assertThat(reads.size()).as("back: no longer counted").isZero();
        reads.clear();
        assertThat(reads.entries()).isEmpty();
    }
}
