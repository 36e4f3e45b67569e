package dev.ferrymq.broker.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymq.store.FsyncPolicy;
import dev.ferrymq.store.RecordFile;
import dev.ferrymq.store.StoreConfig;
import dev.ferrymq.store.Syncer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The queue index replays to the live entries in queue order, with what a restart needs to restore them. */
class QueueIndexTest {
    @TempDir
    Path dir;
    private final Syncer syncer = new Syncer(StoreConfig.defaults());

    @AfterEach
    void close() {
        syncer.close();
    }

    @Test
    void recoversLiveEntriesWithTheirExpiryPriorityAndSize() throws IOException {
        QueueIndex index = QueueIndex.open(dir.resolve("q.idx"), syncer);
        index.enqueued(100, 0, 3, 1024);
        index.enqueued(200, 1_800_000_000_000L, 9, 16);
        index.enqueued(300, 0, 0, 0);
        index.removed(200);
        index.sync();

        QueueIndex reopened = QueueIndex.open(dir.resolve("q.idx"), syncer);
        assertThat(reopened.recover()).containsExactly(
                new QueueIndex.Entry(100, 0, 3, 1024),
                new QueueIndex.Entry(300, 0, 0, 0));
        assertThat(QueueIndex.open(dir.resolve("q.idx"), syncer).recover())
                .as("the compacted file reads the same").containsExactly(
                        new QueueIndex.Entry(100, 0, 3, 1024),
                        new QueueIndex.Entry(300, 0, 0, 0));
    }

    @Test
    void bufferedRecordsAreOnDiskWhenTheNextGroupCommitReportsDurable() throws Exception {
        QueueIndex index = QueueIndex.open(dir.resolve("q.idx"), syncer);
        index.enqueued(100, 0, 0, 10);
        CountDownLatch durable = new CountDownLatch(1);
        syncer.whenDurable(durable::countDown); // what a publisher's confirm waits for

        assertThat(durable.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(QueueIndex.open(dir.resolve("q.idx"), syncer).recover())
                .containsExactly(new QueueIndex.Entry(100, 0, 0, 10));
    }

    @Test
    void anEntryRemovedBeforeTheGroupCommitIsNeverWritten() throws IOException {
        // A round that lingers a minute: on a loaded machine the default 2 ms one could run between the calls.
        try (Syncer slow = new Syncer(StoreConfig.defaults().withMaxGroupCommitDelayMicros(60_000_000))) {
            Path path = dir.resolve("q.idx");
            QueueIndex index = QueueIndex.open(path, slow);
            long empty = Files.size(path);
            index.enqueued(100, 0, 0, 10);
            index.enqueued(200, 0, 0, 20);
            index.removed(100); // a waiting consumer took and acknowledged it at once
            index.sync();

            assertThat(Files.size(path) - empty).as("one 'E' record: 8-byte frame header + 22 bytes").isEqualTo(30);
            assertThat(QueueIndex.open(path, slow).recover()).containsExactly(new QueueIndex.Entry(200, 0, 0, 20));
        }
    }

    @Test
    void aLongGroupCommitRoundStillWritesTheBufferOnceItHolds2048Records() throws IOException {
        try (Syncer slow = new Syncer(StoreConfig.defaults().withMaxGroupCommitDelayMicros(60_000_000))) {
            Path path = dir.resolve("big.idx");
            QueueIndex index = QueueIndex.open(path, slow);
            long empty = Files.size(path);
            for (int i = 0; i < 2047; i++) {
                index.enqueued(i, 0, 0, 1);
            }
            assertThat(Files.size(path)).as("buffered, the round still lingering").isEqualTo(empty);

            index.enqueued(2047, 0, 0, 1);

            assertThat(Files.size(path) - empty).as("2048 'E' records of 30 bytes, framed").isEqualTo(2048L * 30);
        }
    }

    @Test
    void aRemovalIsWrittenAtOnce() throws Exception {
        Path path = dir.resolve("q.idx");
        QueueIndex index = QueueIndex.open(path, syncer);
        index.enqueued(100, 0, 0, 10);
        index.sync();
        long before = Files.size(path);

        index.removed(100); // an ack the broker has processed must survive a kill -9 (page cache, no fsync)

        assertThat(Files.size(path) - before).as("the 'A' record: 8-byte frame header + 9 bytes").isEqualTo(17);
        assertThat(QueueIndex.open(path, syncer).recover()).isEmpty();
    }

    @Test
    void removingManyAtOnceWritesTheirRemovalsAtOnceAndCancelsTheOnesStillBuffered() throws Exception {
        // A lingering round keeps 500's 'E' record buffered for the whole test.
        try (Syncer slow = new Syncer(StoreConfig.defaults().withMaxGroupCommitDelayMicros(60_000_000))) {
            Path path = dir.resolve("q.idx");
            QueueIndex index = QueueIndex.open(path, slow);
            for (long p = 1; p <= 4; p++) {
                index.enqueued(p * 100, 0, 0, 10);
            }
            index.sync(); // 100..400 on disk
            index.enqueued(500, 0, 0, 10);
            long before = Files.size(path);

            index.removedAll(new long[] {100, 200, 500, 999}, 3); // a multiple ack; 999 is beyond count

            assertThat(Files.size(path) - before).as("two 'A' records of 17 bytes; 500's 'E' and 'A' never written")
                    .isEqualTo(2 * 17);
            assertThat(QueueIndex.open(path, slow).recover()).containsExactly(
                    new QueueIndex.Entry(300, 0, 0, 10), new QueueIndex.Entry(400, 0, 0, 10));
        }
    }

    @Test
    void withPeriodicFsyncEveryRecordIsWrittenAtOnce() throws IOException {
        try (Syncer periodic = new Syncer(StoreConfig.defaults().withFsyncPolicy(FsyncPolicy.PERIODIC))) {
            QueueIndex index = QueueIndex.open(dir.resolve("p.idx"), periodic);
            index.enqueued(7, 0, 0, 1);

            assertThat(QueueIndex.open(dir.resolve("p.idx"), periodic).recover())
                    .as("a confirm with PERIODIC means written to the OS, at once")
                    .containsExactly(new QueueIndex.Entry(7, 0, 0, 1));
        }
    }

    @Test
    void anIndexWrittenBeforePrioritiesWereKeptReadsAsPriorityZeroAndUnknownSize() throws IOException {
        try (RecordFile old = RecordFile.open(dir.resolve("old.idx"), syncer)) {
            old.append(ByteBuffer.allocate(17).put((byte) 'E').putLong(42).putLong(7).array());
        }
        assertThat(QueueIndex.open(dir.resolve("old.idx"), syncer).recover())
                .containsExactly(new QueueIndex.Entry(42, 7, 0, 0));
    }
}
