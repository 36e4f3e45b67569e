package dev.ferrymq.broker.queue.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymq.broker.Message;
import dev.ferrymq.store.SegmentLog;
import dev.ferrymq.store.StoreConfig;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stream's log on its own: commit point, seeks through the sparse index, recovery, retention from the head. */
class StreamLogTest {
    private static final StoreConfig SMALL_SEGMENTS = StoreConfig.defaults().withSegmentSize(4096)
            .withMaxGroupCommitDelayMicros(0);

    @TempDir
    Path dir;
    private SegmentLog segments;

    @AfterEach
    void close() throws IOException {
        if (segments != null) {
            segments.close();
        }
    }

    private StreamLog open() throws IOException {
        segments = SegmentLog.open(dir, SMALL_SEGMENTS);
        return new StreamLog(segments, () -> { });
    }

    private static Message message(long n) {
        return new Message("", "stream", new byte[0], ("m" + n + "-" + "x".repeat(90)).getBytes(StandardCharsets.UTF_8),
                false);
    }

    private static String body(StreamRecord record) {
        String text = new String(record.message().body(), StandardCharsets.UTF_8);
        return text.substring(0, text.indexOf('-'));
    }

    private static void appendCommitted(StreamLog log, int count) throws InterruptedException {
        long first = log.nextOffset();
        for (int i = 0; i < count; i++) {
            assertThat(log.append(message(first + i))).isEqualTo(first + i);
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (log.committedEnd() < first + count) {
            assertThat(System.nanoTime()).as("committed within 5 s").isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    private static void assertSeekFinds(StreamLog log, long offset) throws IOException {
        StreamRecord record = log.read(log.seek(offset));
        assertThat(record.offset()).isEqualTo(offset);
        assertThat(body(record)).isEqualTo("m" + offset);
    }

    @Test
    void aSeekFindsEveryOffsetInAndBetweenIndexEntriesAndAcrossSegments() throws Exception {
        StreamLog log = open();
        appendCommitted(log, 700);
        assertThat(segments.segmentCount()).isGreaterThan(10);
        for (long offset : new long[] {0, 1, 255, 256, 257, 511, 512, 600, 699}) {
            assertSeekFinds(log, offset);
        }
        assertThat(log.firstOffset()).isZero();
        assertThat(log.committedEnd()).isEqualTo(700);
    }

    @Test
    void reopeningRecoversOffsetsSoSeeksAndAppendsContinue() throws Exception {
        appendCommitted(open(), 700);
        segments.close();
        StreamLog log = open();
        assertThat(log.nextOffset()).isEqualTo(700);
        assertThat(log.committedEnd()).isEqualTo(700);
        for (long offset : new long[] {0, 37, 300, 698, 699}) {
            assertSeekFinds(log, offset);
        }
        appendCommitted(log, 1);
        assertSeekFinds(log, 700);
    }

    @Test
    void aTimestampFindsTheFirstMessageAtOrAfterIt() throws Exception {
        StreamLog log = open();
        appendCommitted(log, 50);
        Thread.sleep(20);
        long between = System.currentTimeMillis();
        Thread.sleep(20);
        appendCommitted(log, 50);
        assertThat(log.offsetAt(between)).isEqualTo(50);
        assertThat(log.offsetAt(0)).isZero();
        assertThat(log.offsetAt(System.currentTimeMillis() + 60_000)).isEqualTo(log.committedEnd());
    }

    @Test
    void retentionByAgeDeletesEverySegmentWhoseRecordsAreAllOlderAndCursorsMoveOn() throws Exception {
        StreamLog log = open();
        appendCommitted(log, 300);
        StreamCursor behind = new StreamCursor(log, 0);
        Thread.sleep(10);
        int deleted = new Retention(new StreamArguments(-1, 1, 4096)).apply(log);
        assertThat(deleted).isPositive();
        assertThat(segments.segmentCount()).isEqualTo(1);
        assertThat(log.firstOffset()).isGreaterThan(0);
        assertThat(behind.peek().offset()).as("a cursor on a deleted segment continues at the first offset left")
                .isEqualTo(log.firstOffset());
    }

    @Test
    void retentionBySizeDeletesHeadSegmentsUntilTheStreamFits() throws Exception {
        StreamLog log = open();
        appendCommitted(log, 300);
        new Retention(new StreamArguments(10_000, -1, 4096)).apply(log);
        assertThat(log.sizeOnDisk()).isLessThanOrEqualTo(10_000);
        assertSeekFinds(log, log.firstOffset());
        assertSeekFinds(log, 299);
        assertThat(new Retention(new StreamArguments(-1, -1, 4096)).apply(log)).as("no limits: nothing").isZero();
    }

    @Test
    void afterACrashRightAfterARollTheNextSegmentIsStillIndexedSoRetentionCanPassIt() throws Exception {
        appendCommitted(open(), 300);
        int last = segments.activeSegmentId();
        segments.close();
        // what a kill -9 right after a roll leaves: a new segment with its header and no record
        Files.write(dir.resolve(String.format("%010d.seg", last + 1)), ByteBuffer.allocate(12)
                .put("FMQS".getBytes(StandardCharsets.US_ASCII)).putInt(1).putInt(last + 1).array());
        StreamLog log = open();
        assertThat(segments.activeSegmentId()).isEqualTo(last + 1);
        appendCommitted(log, 1);
        Thread.sleep(10);
        new Retention(new StreamArguments(-1, 1, 4096)).apply(log);
        assertThat(segments.segmentIds()).containsExactly(last + 1);
        assertThat(log.firstOffset()).isEqualTo(300);
    }

    @Test
    void aCursorTailingTheStreamFollowsItAcrossSegmentRolls() throws Exception {
        StreamLog log = open();
        StreamCursor tail = new StreamCursor(log, 0);
        for (long offset = 0; offset < 200; offset++) {
            assertThat(tail.peek()).as("nothing committed at %d yet", offset).isNull();
            appendCommitted(log, 1);
            StreamRecord record = tail.peek();
            assertThat(record.offset()).isEqualTo(offset);
            assertThat(body(record)).isEqualTo("m" + offset);
            tail.advance();
        }
        assertThat(segments.segmentCount()).isGreaterThan(3);
    }
}
