package dev.ferrymq.store;

import static dev.ferrymq.store.TestFiles.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RecordFileTest {

    @TempDir
    Path dir;

    private final Syncer syncer = new Syncer(StoreConfig.defaults().withMaxGroupCommitDelayMicros(0));

    @AfterEach
    void closeSyncer() {
        syncer.close();
    }

    @Test
    void appendsAndReadsBackAfterReopen() throws IOException {
        Path file = dir.resolve("q1.idx");
        try (RecordFile rf = RecordFile.open(file, syncer)) {
            assertThat(rf.readAll()).isEmpty();
            assertThat(rf.size()).isEqualTo(RecordFile.HEADER);
            for (int i = 0; i < 50; i++) {
                rf.append(payload(i, 1 + i));
            }
            assertThat(rf.size()).isEqualTo(Files.size(file));
        }
        try (RecordFile rf = RecordFile.open(file, syncer)) {
            List<byte[]> all = rf.readAll();
            assertThat(all).hasSize(50);
            for (int i = 0; i < 50; i++) {
                assertThat(all.get(i)).isEqualTo(payload(i, 1 + i));
            }
        }
        assertThat(new String(Files.readAllBytes(file), 0, 4, java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("FMQR");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 8, 20, 107})
    void tornTailIsTruncated(int cut) throws IOException {
        Path file = dir.resolve("q.idx");
        long lastStart;
        try (RecordFile rf = RecordFile.open(file, syncer)) {
            rf.append(payload(1, 100));
            rf.append(payload(2, 100));
            lastStart = rf.size();
            rf.append(payload(3, 100)); // frame: 108 bytes
        }
        TestFiles.truncate(file, lastStart + cut);
        try (RecordFile rf = RecordFile.open(file, syncer)) {
            assertThat(rf.size()).isEqualTo(lastStart);
            assertThat(Files.size(file)).isEqualTo(lastStart);
            assertThat(rf.readAll()).containsExactly(payload(1, 100), payload(2, 100));
            rf.append(payload(4, 10));
            assertThat(rf.readAll()).containsExactly(payload(1, 100), payload(2, 100), payload(4, 10));
        }
    }

    @Test
    void corruptRecordDropsTheRestOfTheFile() throws IOException {
        Path file = dir.resolve("q.idx");
        long secondStart;
        try (RecordFile rf = RecordFile.open(file, syncer)) {
            rf.append(payload(1, 10));
            secondStart = rf.size();
            rf.append(payload(2, 10));
            rf.append(payload(3, 10));
        }
        TestFiles.flipByte(file, secondStart + RecordFormat.FRAME_HEADER + 3);
        try (RecordFile rf = RecordFile.open(file, syncer)) {
            assertThat(rf.readAll()).containsExactly(payload(1, 10));
        }
    }

    @Test
    void badHeaderIsCorruption() throws IOException {
        Path file = dir.resolve("q.idx");
        RecordFile.open(file, syncer).close();
        TestFiles.flipByte(file, 0);
        assertThatThrownBy(() -> RecordFile.open(file, syncer)).isInstanceOf(StoreCorruptionException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void rewriteReplacesContentAndAppendsContinueInNewFile() throws IOException {
        Path file = dir.resolve("q.idx");
        try (RecordFile rf = RecordFile.open(file, syncer)) {
            for (int i = 0; i < 100; i++) {
                rf.append(payload(i, 50));
            }
            long before = rf.size();
            rf.rewrite(List.of(payload(7, 50), payload(8, 50)));
            assertThat(rf.size()).isLessThan(before).isEqualTo(Files.size(file));
            rf.append(payload(9, 5));
            assertThat(rf.readAll()).containsExactly(payload(7, 50), payload(8, 50), payload(9, 5));
            assertThat(Files.exists(dir.resolve("q.idx.tmp"))).isFalse();
        }
        try (RecordFile rf = RecordFile.open(file, syncer)) {
            assertThat(rf.readAll()).containsExactly(payload(7, 50), payload(8, 50), payload(9, 5));
        }
    }

    /** A rewrite gathers frames into large writes: records across and beyond a write's size all survive. */
    @Test
    void largeRewriteKeepsEveryRecordInOrder() throws IOException {
        Path file = dir.resolve("q.idx");
        List<byte[]> records = new java.util.ArrayList<>();
        for (int i = 0; i < 30_000; i++) {
            records.add(payload(i, i == 12_345 ? 300_000 : 1 + i % 40));
        }
        try (RecordFile rf = RecordFile.open(file, syncer)) {
            rf.append(payload(1, 10));
            rf.rewrite(records);
            assertThat(rf.size()).isEqualTo(Files.size(file));
            assertThat(rf.readAll()).containsExactlyElementsOf(records);
        }
        try (RecordFile rf = RecordFile.open(file, syncer)) {
            assertThat(rf.readAll()).containsExactlyElementsOf(records);
        }
    }

    @Test
    void leftoverTempFileFromCrashedRewriteIsIgnoredAndCleaned() throws IOException {
        Path file = dir.resolve("q.idx");
        try (RecordFile rf = RecordFile.open(file, syncer)) {
            rf.append(payload(1, 10));
            rf.append(payload(2, 10));
        }
        // A crash mid-rewrite leaves a partial temp file next to the untouched original.
        Path temp = dir.resolve("q.idx.tmp");
        Files.write(temp, new byte[] {'F', 'M', 'Q', 'R', 0, 0, 0, 1, 0, 0, 0, 10, 1, 2});
        try (RecordFile rf = RecordFile.open(file, syncer)) {
            assertThat(Files.exists(temp)).isFalse();
            assertThat(rf.readAll()).containsExactly(payload(1, 10), payload(2, 10));
        }
    }

    @Test
    void rewriteWithInvalidRecordLeavesFileUntouched() throws IOException {
        Path file = dir.resolve("q.idx");
        try (RecordFile rf = RecordFile.open(file, syncer)) {
            rf.append(payload(1, 10));
            assertThatThrownBy(() -> rf.rewrite(List.of(payload(2, 10), new byte[0])))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(rf.readAll()).containsExactly(payload(1, 10));
        }
    }

    @Test
    void deleteRemovesTheFile() throws IOException {
        Path file = dir.resolve("q.idx");
        RecordFile rf = RecordFile.open(file, syncer);
        rf.append(payload(1, 10));
        rf.delete();
        assertThat(Files.exists(file)).isFalse();
        assertThatThrownBy(() -> rf.append(payload(2, 10))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void appendedRecordsBecomeDurableThroughTheSharedSyncer() throws Exception {
        Path file = dir.resolve("q.idx");
        try (RecordFile rf = RecordFile.open(file, syncer)) {
            long before = syncer.fsyncCount();
            rf.append(payload(1, 10));
            var done = new java.util.concurrent.CountDownLatch(1);
            syncer.whenDurable(done::countDown);
            assertThat(done.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(syncer.fsyncCount()).isGreaterThan(before);
        }
    }
}
