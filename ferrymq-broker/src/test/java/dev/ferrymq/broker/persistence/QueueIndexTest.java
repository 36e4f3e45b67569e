package dev.ferrymq.broker.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymq.store.RecordFile;
import dev.ferrymq.store.StoreConfig;
import dev.ferrymq.store.Syncer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
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
    void anIndexWrittenBeforePrioritiesWereKeptReadsAsPriorityZeroAndUnknownSize() throws IOException {
        try (RecordFile old = RecordFile.open(dir.resolve("old.idx"), syncer)) {
            old.append(ByteBuffer.allocate(17).put((byte) 'E').putLong(42).putLong(7).array());
        }
        assertThat(QueueIndex.open(dir.resolve("old.idx"), syncer).recover())
                .containsExactly(new QueueIndex.Entry(42, 7, 0, 0));
    }
}
