package dev.ferrymq.store;

import static dev.ferrymq.store.TestFiles.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class SegmentLogTest {

    private static final StoreConfig TINY = StoreConfig.defaults().withSegmentSize(4096)
            .withFsyncPolicy(FsyncPolicy.PERIODIC);
    private static final StoreConfig BUFFERED = StoreConfig.defaults().withSegmentSize(1024 * 1024);

    @TempDir
    Path dir;

    private static Path segmentFile(Path dir, long position) {
        return Segment.pathFor(dir, SegmentLog.segmentId(position));
    }

    private static List<Long> appendAll(SegmentLog log, int count, int size) throws IOException {
        List<Long> positions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            positions.add(log.append(payload(i, size + i % 13)));
        }
        return positions;
    }

    @ParameterizedTest
    @EnumSource(FsyncPolicy.class) // ALWAYS buffers appends across rolls; PERIODIC writes each through
    void roundTripsAcrossSegmentRollsAndReopen(FsyncPolicy policy) throws IOException {
        List<Long> positions;
        try (SegmentLog log = SegmentLog.open(dir, TINY.withFsyncPolicy(policy))) {
            positions = appendAll(log, 100, 300);
            assertThat(log.segmentCount()).isGreaterThan(5);
            for (int i = 1; i < positions.size(); i++) {
                assertThat(positions.get(i)).isGreaterThan(positions.get(i - 1));
            }
            for (int i = 0; i < positions.size(); i++) {
                assertThat(log.read(positions.get(i))).isEqualTo(payload(i, 300 + i % 13));
            }
            try (var files = Files.list(dir)) {
                assertThat(files.filter(f -> f.toString().endsWith(".seg")).allMatch(f -> f.toFile().length() <= 4096))
                        .isTrue();
            }
        }
        try (SegmentLog log = SegmentLog.open(dir, TINY)) {
            for (int i = 0; i < positions.size(); i++) {
                assertThat(log.read(positions.get(i))).isEqualTo(payload(i, 300 + i % 13));
            }
            List<Long> seen = new ArrayList<>();
            log.forEachRecord((pos, p) -> seen.add(pos));
            assertThat(seen).containsExactlyElementsOf(positions);
            assertThat(log.verify()).isEqualTo(100);
            long next = log.append(payload(999, 10));
            assertThat(next).isGreaterThan(positions.get(positions.size() - 1));
            assertThat(Files.exists(Segment.pathFor(dir, 1))).isTrue();
            assertThat(new String(Files.readAllBytes(Segment.pathFor(dir, 1)), 0, 4,
                    java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("FMQS");
        }
    }

    @Test
    void withAlwaysAppendsWaitInTheWriteBufferUntilTheGroupCommit() throws Exception {
        // A long group-commit delay holds the commit that the first append requests.
        try (SegmentLog log = SegmentLog.open(dir, BUFFERED.withMaxGroupCommitDelayMicros(1_000_000))) {
            List<Long> positions = appendAll(log, 10, 100);
            Path file = segmentFile(dir, positions.get(0));
            assertThat(Files.size(file)).as("nothing written before the commit").isEqualTo(Segment.HEADER);

            CountDownLatch durable = new CountDownLatch(1);
            log.syncer().whenDurable(durable::countDown);
            assertThat(durable.await(10, TimeUnit.SECONDS)).isTrue();
            long end = SegmentLog.offset(positions.get(9)) + RecordFormat.FRAME_HEADER + 100 + 9 % 13;
            assertThat(Files.size(file)).as("all ten in the file once durable").isEqualTo(end);
        }
    }

    @Test
    void withAlwaysABufferedRecordCanBeReadAtOnce() throws IOException {
        try (SegmentLog log = SegmentLog.open(dir, BUFFERED.withMaxGroupCommitDelayMicros(1_000_000))) {
            List<Long> positions = appendAll(log, 5, 100);
            assertThat(log.read(positions.get(3))).isEqualTo(payload(3, 103));
            assertThat(log.read(positions.get(0))).isEqualTo(payload(0, 100));
        }
    }

    @Test
    void withAlwaysAFullWriteBufferIsWrittenWithoutWaitingForTheCommit() throws IOException {
        try (SegmentLog log = SegmentLog.open(dir, BUFFERED.withMaxGroupCommitDelayMicros(1_000_000))) {
            List<Long> positions = appendAll(log, 2 * SegmentLog.WRITE_BUFFER_SIZE / 1000, 1000);
            assertThat(Files.size(segmentFile(dir, positions.get(0))))
                    .isGreaterThanOrEqualTo(SegmentLog.WRITE_BUFFER_SIZE - 1000);
        }
    }

    @Test
    void withAlwaysARecordBiggerThanTheWriteBufferKeepsAppendOrder() throws IOException {
        int big = SegmentLog.WRITE_BUFFER_SIZE + 10;
        List<Long> positions = new ArrayList<>();
        try (SegmentLog log = SegmentLog.open(dir, BUFFERED)) {
            positions.add(log.append(payload(1, 100)));
            positions.add(log.append(payload(2, big)));
            positions.add(log.append(payload(3, 100)));
            assertThat(log.read(positions.get(1))).isEqualTo(payload(2, big));
        }
        try (SegmentLog log = SegmentLog.open(dir, BUFFERED)) {
            List<Long> seen = new ArrayList<>();
            log.forEachRecord((pos, p) -> seen.add(pos));
            assertThat(seen).containsExactlyElementsOf(positions);
            assertThat(log.read(positions.get(2))).isEqualTo(payload(3, 100));
        }
    }

    @Test
    void withPeriodicEachAppendIsInTheFileWhenItReturns() throws IOException {
        try (SegmentLog log = SegmentLog.open(dir, TINY)) {
            long position = log.append(payload(1, 100));
            assertThat(Files.size(segmentFile(dir, position)))
                    .isEqualTo(Segment.HEADER + RecordFormat.FRAME_HEADER + 100);
        }
    }

    /** A read takes the header and up to FIRST_READ - 8 payload bytes in one pread, the rest in a second one. */
    @ParameterizedTest
    @ValueSource(ints = {1, Segment.FIRST_READ - 9, Segment.FIRST_READ - 8, Segment.FIRST_READ - 7,
            Segment.FIRST_READ, 3 * Segment.FIRST_READ + 5})
    void recordsOnEitherSideOfTheFirstReadSizeReadBackIntact(int size) throws IOException {
        List<Long> positions = new ArrayList<>();
        try (SegmentLog log = SegmentLog.open(dir, BUFFERED)) {
            for (int i = 0; i < 3; i++) {
                positions.add(log.append(payload(i, size)));
            }
            for (int i = 2; i >= 0; i--) { // the last one first: its first read is cut short by the end of the file
                assertThat(log.read(positions.get(i))).isEqualTo(payload(i, size));
            }
        }
    }

    /**
     * Reads that walk forward are served from 64 KiB read-ahead blocks: records inside a block, records cut by a
     * block's end, records bigger than a block, and records appended after the block was read all come back
     * intact, and a damaged record is still caught by its CRC.
     */
    @Test
    void readsWalkingForwardComeBackIntactAcrossReadAheadBlocks() throws IOException {
        int[] sizes = {1_000, 1, 3_000, Segment.READ_AHEAD + 17, 700, Segment.READ_AHEAD / 2 - 3, 5};
        List<Long> positions = new ArrayList<>();
        try (SegmentLog log = SegmentLog.open(dir, BUFFERED)) {
            for (int i = 0; i < 300; i++) {
                positions.add(log.append(payload(i, sizes[i % sizes.length])));
                if (i % 50 == 49) { // a read at the tail, then more appends behind the block it read
                    assertThat(log.read(positions.get(i))).isEqualTo(payload(i, sizes[i % sizes.length]));
                }
            }
            for (int i = 0; i < positions.size(); i++) {
                assertThat(log.read(positions.get(i))).isEqualTo(payload(i, sizes[i % sizes.length]));
            }
        }
        long damaged = positions.get(121); // 3,000 bytes
        try (var file = java.nio.channels.FileChannel.open(segmentFile(dir, damaged),
                java.nio.file.StandardOpenOption.WRITE)) {
            file.write(java.nio.ByteBuffer.wrap(new byte[] {(byte) 0xEE}),
                    SegmentLog.offset(damaged) + RecordFormat.FRAME_HEADER + 1L);
        }
        try (SegmentLog log = SegmentLog.open(dir, BUFFERED)) {
            for (int i = 100; i < 121; i++) {
                assertThat(log.read(positions.get(i))).isEqualTo(payload(i, sizes[i % sizes.length]));
            }
            assertThatThrownBy(() -> log.read(damaged)).isInstanceOf(StoreCorruptionException.class)
                    .hasMessageContaining("CRC");
        }
    }

    @Test
    void oversizedRecordGetsItsOwnSegment() throws IOException {
        try (SegmentLog log = SegmentLog.open(dir, TINY)) {
            long small = log.append(payload(1, 100));
            long big = log.append(payload(2, 10_000));
            long after = log.append(payload(3, 100));
            assertThat(SegmentLog.segmentId(big)).isEqualTo(SegmentLog.segmentId(small) + 1);
            assertThat(SegmentLog.offset(big)).isEqualTo(Segment.HEADER);
            assertThat(SegmentLog.segmentId(after)).isEqualTo(SegmentLog.segmentId(big) + 1);
            assertThat(log.read(big)).isEqualTo(payload(2, 10_000));
        }
    }

    @Test
    void emptyPayloadIsRejected() throws IOException {
        try (SegmentLog log = SegmentLog.open(dir, TINY)) {
            assertThatThrownBy(() -> log.append(new byte[0])).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void secondOpenOfSameDirectoryFails() throws IOException {
        try (SegmentLog log = SegmentLog.open(dir, TINY)) {
            assertThat(log.segmentCount()).isEqualTo(1);
            assertThatThrownBy(() -> SegmentLog.open(dir, TINY)).isInstanceOf(IOException.class)
                    .hasMessageContaining("already open");
        }
    }

    /** Cut points relative to the start of the last record's frame (frame = 8-byte header + 200 bytes). */
    @ParameterizedTest
    @ValueSource(ints = {1, 4, 7, 8, 9, 100, 207})
    void tornTailIsTruncatedToTheIntactRecords(int cut) throws IOException {
        List<Long> positions;
        try (SegmentLog log = SegmentLog.open(dir, TINY)) {
            positions = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                positions.add(log.append(payload(i, 200)));
            }
        }
        long last = positions.get(positions.size() - 1);
        Path file = segmentFile(dir, last);
        long frameStart = SegmentLog.offset(last);
        assertThat(Files.size(file)).isGreaterThan(frameStart + cut);
        TestFiles.truncate(file, frameStart + cut);

        try (SegmentLog log = SegmentLog.open(dir, TINY)) {
            assertThat(Files.size(file)).isEqualTo(frameStart);
            List<Long> seen = new ArrayList<>();
            log.forEachRecord((pos, p) -> seen.add(pos));
            assertThat(seen).containsExactlyElementsOf(positions.subList(0, positions.size() - 1));
            long again = log.append(payload(42, 50));
            assertThat(again).isEqualTo(last);
            assertThat(log.read(again)).isEqualTo(payload(42, 50));
        }
        try (SegmentLog log = SegmentLog.open(dir, TINY)) {
            assertThat(log.verify()).isEqualTo(positions.size());
        }
    }

    @Test
    void badCrcInLastRecordOfLastSegmentIsDropped() throws IOException {
        List<Long> positions;
        try (SegmentLog log = SegmentLog.open(dir, TINY)) {
            positions = appendAll(log, 20, 300);
        }
        long last = positions.get(positions.size() - 1);
        TestFiles.flipByte(segmentFile(dir, last), SegmentLog.offset(last) + RecordFormat.FRAME_HEADER + 17);
        try (SegmentLog log = SegmentLog.open(dir, TINY)) {
            assertThat(log.verify()).isEqualTo(positions.size() - 1);
            assertThat(Files.size(segmentFile(dir, last))).isEqualTo(SegmentLog.offset(last));
            assertThat(log.read(positions.get(positions.size() - 2)))
                    .isEqualTo(payload(positions.size() - 2, 300 + (positions.size() - 2) % 13));
        }
    }

    @Test
    void badCrcInSealedSegmentIsReportedNotDropped() throws IOException {
        List<Long> positions;
        try (SegmentLog log = SegmentLog.open(dir, TINY)) {
            positions = appendAll(log, 40, 300);
        }
        long victim = positions.get(1);
        assertThat(SegmentLog.segmentId(victim)).isEqualTo(1);
        Path file = segmentFile(dir, victim);
        long sizeBefore = Files.size(file);
        TestFiles.flipByte(file, SegmentLog.offset(victim) + RecordFormat.FRAME_HEADER + 5);

        try (SegmentLog log = SegmentLog.open(dir, TINY)) { // sealed segments are not scanned at open
            assertThat(Files.size(file)).isEqualTo(sizeBefore);
            assertThat(log.read(positions.get(0))).isEqualTo(payload(0, 300));
            assertThatThrownBy(log::verify).isInstanceOf(StoreCorruptionException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("offset " + SegmentLog.offset(victim));
            assertThatThrownBy(() -> log.read(victim)).isInstanceOf(StoreCorruptionException.class)
                    .hasMessageContaining(file.toString());
            assertThat(log.read(positions.get(39))).isEqualTo(payload(39, 300 + 39 % 13));
        }
    }

    @Test
    void sealedSegmentWithBadHeaderFailsOpen() throws IOException {
        try (SegmentLog log = SegmentLog.open(dir, TINY)) {
            appendAll(log, 40, 300);
        }
        TestFiles.flipByte(Segment.pathFor(dir, 1), 1);
        assertThatThrownBy(() -> SegmentLog.open(dir, TINY)).isInstanceOf(StoreCorruptionException.class)
                .hasMessageContaining(Segment.pathFor(dir, 1).toString());
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 8, 100, 1000})
    void zeroFilledTailIsEndOfLog(int zeros) throws IOException {
        List<Long> positions;
        try (SegmentLog log = SegmentLog.open(dir, TINY)) {
            positions = appendAll(log, 5, 100);
        }
        long last = positions.get(positions.size() - 1);
        Path file = segmentFile(dir, last);
        long size = Files.size(file);
        TestFiles.appendZeros(file, zeros);
        try (SegmentLog log = SegmentLog.open(dir, TINY)) {
            assertThat(Files.size(file)).isEqualTo(size);
            assertThat(log.verify()).isEqualTo(5);
            long next = log.append(payload(7, 10));
            assertThat(SegmentLog.offset(next)).isEqualTo(size);
        }
    }

    @Test
    void releaseToZeroDeletesSealedSegmentsButNeverTheActiveOne() throws IOException {
        try (SegmentLog log = SegmentLog.open(dir, TINY)) {
            log.recoveryComplete();
            List<Long> positions = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                positions.add(log.append(payload(i, 300), 1));
                log.retain(positions.get(i)); // two holders each
            }
            int segments = log.segmentCount();
            int activeId = log.activeSegmentId();
            assertThat(segments).isGreaterThan(2);

            List<Long> first = positions.stream().filter(p -> SegmentLog.segmentId(p) == 1).toList();
            for (long p : first) {
                log.release(p);
            }
            assertThat(Files.exists(Segment.pathFor(dir, 1))).isTrue(); // one holder left
            for (long p : first) {
                log.release(p);
            }
            assertThat(Files.exists(Segment.pathFor(dir, 1))).isFalse();
            assertThat(log.segmentCount()).isEqualTo(segments - 1);
            assertThatThrownBy(() -> log.read(first.get(0))).isInstanceOf(IllegalStateException.class);

            List<Long> inActive = positions.stream().filter(p -> SegmentLog.segmentId(p) == activeId).toList();
            for (long p : inActive) {
                log.release(p);
                log.release(p);
            }
            assertThat(Files.exists(Segment.pathFor(dir, activeId))).isTrue();
            assertThat(log.read(inActive.get(0))).isEqualTo(payload(positions.indexOf(inActive.get(0)), 300));
            assertThatThrownBy(() -> log.release(inActive.get(0))).isInstanceOf(IllegalStateException.class);

            // The active segment, fully released, is deleted once a roll seals it.
            for (int i = 0; i < 20; i++) {
                log.release(log.append(payload(i, 300), 1));
            }
            assertThat(Files.exists(Segment.pathFor(dir, activeId))).isFalse();
        }
    }

    @Test
    void nothingIsDeletedBeforeRecoveryComplete() throws IOException {
        List<Long> positions;
        try (SegmentLog log = SegmentLog.open(dir, TINY)) {
            positions = appendAll(log, 40, 300);
        }
        try (SegmentLog log = SegmentLog.open(dir, TINY)) {
            int segments = log.segmentCount();
            long keep = positions.get(39); // in the last segment
            long keepSealed = positions.get(20);
            for (long p : positions) {
                log.retain(p);
                log.release(p);
            }
            log.retain(keepSealed);
            log.retain(keep);
            assertThat(log.segmentCount()).isEqualTo(segments);
            for (int id = 1; id <= segments; id++) {
                assertThat(Files.exists(Segment.pathFor(dir, id))).isTrue();
            }

            log.recoveryComplete();
            assertThat(log.segmentCount()).isEqualTo(2);
            assertThat(Files.exists(Segment.pathFor(dir, SegmentLog.segmentId(keepSealed)))).isTrue();
            assertThat(Files.exists(Segment.pathFor(dir, SegmentLog.segmentId(keep)))).isTrue();
            assertThat(Files.exists(Segment.pathFor(dir, 1))).isFalse();
            assertThat(log.read(keepSealed)).isEqualTo(payload(20, 300 + 20 % 13));
            assertThat(log.sizeOnDisk()).isEqualTo(Files.size(Segment.pathFor(dir, SegmentLog.segmentId(keepSealed)))
                    + Files.size(Segment.pathFor(dir, SegmentLog.segmentId(keep))));
        }
    }

    @Test
    void unownedRecordsKeepTheirSegmentAcrossARoll() throws IOException {
        try (SegmentLog log = SegmentLog.open(dir, TINY)) {
            log.recoveryComplete();
            long p = log.append(payload(1, 300)); // no reference yet
            appendAll(log, 20, 300);
            assertThat(log.activeSegmentId()).isGreaterThan(SegmentLog.segmentId(p));
            log.retain(p);
            assertThat(log.read(p)).isEqualTo(payload(1, 300));
            log.release(p);
            assertThat(Files.exists(segmentFile(dir, p))).isFalse();
        }
    }

    @Test
    void containsTellsWrittenPositionsFromOnesPastTheEndOrInNoSegment() throws IOException {
        try (SegmentLog log = SegmentLog.open(dir, TINY)) {
            long first = log.append(payload(1, 100));
            long second = log.append(payload(2, 100));
            assertThat(log.contains(first)).isTrue();
            assertThat(log.contains(second)).isTrue();
            assertThat(log.contains(SegmentLog.position(log.activeSegmentId(), 1 << 20))).isFalse();
            assertThat(log.contains(SegmentLog.position(log.activeSegmentId() + 5, Segment.HEADER))).isFalse();
            assertThat(log.contains(SegmentLog.position(log.activeSegmentId(), 0))).as("inside the header").isFalse();
        }
    }
}
