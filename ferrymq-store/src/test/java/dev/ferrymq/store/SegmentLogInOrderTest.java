package dev.ferrymq.store;

import static dev.ferrymq.store.TestFiles.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a log in append order with nextPosition, and deleting whole segments from the head (streams). */
class SegmentLogInOrderTest {
    private static final StoreConfig TINY = StoreConfig.defaults().withSegmentSize(4096)
            .withFsyncPolicy(FsyncPolicy.PERIODIC);

    @TempDir
    Path dir;

    private static List<Long> appendAll(SegmentLog log, int count) throws IOException {
        List<Long> positions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            positions.add(log.append(payload(i, 100 + i % 13)));
        }
        return positions;
    }

    /** Walks from the first position with nextPosition until it returns -1. */
    private static List<Long> walk(SegmentLog log) throws IOException {
        List<Long> positions = new ArrayList<>();
        for (long p = log.firstPosition(); p >= 0 && log.contains(p); ) {
            positions.add(p);
            p = log.nextPosition(p, log.read(p).length);
        }
        return positions;
    }

    @Test
    void nextPositionWalksEveryRecordInAppendOrderAcrossSegments() throws IOException {
        try (SegmentLog log = SegmentLog.open(dir, TINY)) {
            List<Long> appended = appendAll(log, 200);
            assertThat(log.segmentCount()).isGreaterThan(5);
            assertThat(walk(log)).isEqualTo(appended);
            long last = appended.get(appended.size() - 1);
            assertThat(log.nextPosition(last, log.read(last).length)).as("nothing after the last record").isEqualTo(-1);
        }
        try (SegmentLog reopened = SegmentLog.open(dir, TINY)) {
            assertThat(walk(reopened)).hasSize(200);
        }
    }

    @Test
    void deletingTheOldestSegmentMovesTheFirstPositionAndNeverDeletesTheActiveOne() throws IOException {
        try (SegmentLog log = SegmentLog.open(dir, TINY)) {
            List<Long> appended = appendAll(log, 200);
            int segments = log.segmentCount();
            long oldest = log.firstPosition();
            long size = log.sizeOnDisk();
            long oldestSize = log.oldestSegmentSize();
            assertThat(log.deleteOldestSegment()).isTrue();
            assertThat(log.segmentCount()).isEqualTo(segments - 1);
            assertThat(log.sizeOnDisk()).isEqualTo(size - oldestSize);
            assertThat(SegmentLog.segmentOf(log.firstPosition())).isEqualTo(SegmentLog.segmentOf(oldest) + 1);
            assertThatThrownBy(() -> log.read(oldest)).isInstanceOf(IllegalStateException.class);
            assertThat(walk(log)).isEqualTo(appended.subList(appended.indexOf(log.firstPosition()), 200));

            while (log.deleteOldestSegment()) {
                assertThat(log.segmentCount()).isPositive();
            }
            assertThat(log.segmentIds()).containsExactly(log.activeSegmentId());
        }
    }
}
