package dev.ferrymq.store.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymq.store.StoreConfig;
import dev.ferrymq.store.Syncer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScheduleLogTest {
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private final Syncer syncer = new Syncer(StoreConfig.defaults().withMaxGroupCommitDelayMicros(0));

    @AfterEach
    void closeSyncer() {
        syncer.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> payloads(ScheduleLog.Batch batch) {
        List<String> out = new ArrayList<>();
        for (DueEntry e : batch.entries()) {
            out.add(new String(e.payload(), StandardCharsets.UTF_8));
        }
        return out;
    }

    private long bucketFiles() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(ScheduleLog.SUFFIX)).count();
        }
    }

    @Test
    void handsOutEntriesInDueOrderAcrossBucketsAndTiesInArrivalOrder() throws Exception {
        try (ScheduleLog log = ScheduleLog.open(dir, syncer, 1000)) {
            log.add(T0 + 2500, true, "a", bytes("c"));
            log.add(T0 + 100, true, "a", bytes("a1"));
            log.add(T0 + 100, true, "b", bytes("a2"));
            log.add(T0 + 1200, true, "a", bytes("b"));
            assertThat(log.takeDue(T0 + 50).isEmpty()).isTrue();
            assertThat(payloads(log.takeDue(T0 + 3000))).containsExactly("a1", "a2", "b", "c");
            assertThat(log.count()).isZero();
        }
    }

    @Test
    void keepsOnlyASummaryOfBucketsThatAreNotAboutToFire() throws Exception {
        try (ScheduleLog log = ScheduleLog.open(dir, syncer, 1000)) {
            for (int i = 0; i < 10_000; i++) {
                log.add(T0 + 10_000 + i, true, "x", bytes("m" + i));
            }
            assertThat(log.takeDue(T0).isEmpty()).isTrue();
            assertThat(log.loadedEntries()).isZero();
            assertThat(log.buckets()).isEqualTo(10);
            assertThat(log.count("x")).isEqualTo(10_000);
            assertThat(log.nextDue("x")).isEqualTo(T0 + 10_000);
            assertThat(log.takeDue(T0 + 10_000).entries()).hasSize(1);
            assertThat(log.loadedEntries()).as("one bucket loaded").isEqualTo(999);
        }
    }

    @Test
    void recoversScheduledEntriesButNotFiredOrNonDurableOnes() throws Exception {
        try (ScheduleLog log = ScheduleLog.open(dir, syncer, 1000)) {
            log.add(T0 + 100, true, "x", bytes("fired"));
            log.add(T0 + 200, true, "x", bytes("kept-1"));
            log.add(T0 + 300, false, "x", bytes("transient"));
            log.add(T0 + 5000, true, "y", bytes("kept-2"));
            ScheduleLog.Batch batch = log.takeDue(T0 + 150);
            assertThat(payloads(batch)).containsExactly("fired");
            log.settle(batch);
        }
        try (ScheduleLog log = ScheduleLog.open(dir, syncer, 1000)) {
            assertThat(log.summarizeRecovered()).isEqualTo(2);
            assertThat(log.count()).isEqualTo(2);
            assertThat(log.count("x")).isEqualTo(1);
            assertThat(payloads(log.takeDue(T0 + 10_000))).containsExactly("kept-1", "kept-2");
        }
    }

    @Test
    void opensWithoutReadingTheBucketsAndCountsWhatTheyHoldAfterwards() throws Exception {
        try (ScheduleLog log = ScheduleLog.open(dir, syncer, 1000)) {
            log.add(T0 + 100, true, "x", bytes("a"));
            log.add(T0 + 5100, true, "x", bytes("b"));
            log.add(T0 + 5200, true, "y", bytes("c"));
        }
        try (ScheduleLog log = ScheduleLog.open(dir, syncer, 1000)) {
            assertThat(log.count()).as("not counted yet").isZero();
            log.add(T0 + 5300, true, "x", bytes("d"));
            assertThat(payloads(log.takeDue(T0 + 200))).as("taken before the count").containsExactly("a");
            assertThat(log.count()).isEqualTo(1);
            assertThat(log.summarizeRecovered()).isEqualTo(2);
            assertThat(log.count("x")).isEqualTo(2);
            assertThat(log.count("y")).isEqualTo(1);
            assertThat(log.nextDue("x")).isEqualTo(T0 + 5100);
            assertThat(payloads(log.takeDue(T0 + 6000))).containsExactly("b", "c", "d");
            assertThat(log.count()).isZero();
        }
    }

    @Test
    void anEntryTakenButNotSettledIsHandedOutAgainAfterARestart() throws Exception {
        try (ScheduleLog log = ScheduleLog.open(dir, syncer, 1000)) {
            log.add(T0 + 100, true, "x", bytes("once"));
            assertThat(payloads(log.takeDue(T0 + 200))).containsExactly("once");
        }
        try (ScheduleLog log = ScheduleLog.open(dir, syncer, 1000)) {
            assertThat(payloads(log.takeDue(T0 + 200))).containsExactly("once");
        }
    }

    @Test
    void deletesABucketFileOnceEverythingInItHasFiredAndSettled() throws Exception {
        try (ScheduleLog log = ScheduleLog.open(dir, syncer, 1000)) {
            log.add(T0 + 100, true, "x", bytes("a"));
            log.add(T0 + 1100, true, "x", bytes("b"));
            assertThat(bucketFiles()).isEqualTo(2);
            log.settle(log.takeDue(T0 + 500));
            assertThat(bucketFiles()).isEqualTo(1);
            assertThat(log.nextDue("x")).isEqualTo(T0 + 1100);
        }
    }

    @Test
    void anEntryAddedToALoadedBucketIsHandedOutInOrder() throws Exception {
        try (ScheduleLog log = ScheduleLog.open(dir, syncer, 1000)) {
            log.add(T0 + 900, true, "x", bytes("second"));
            assertThat(log.takeDue(T0 + 800).isEmpty()).isTrue(); // loads the bucket
            log.add(T0 + 850, true, "x", bytes("first"));
            assertThat(payloads(log.takeDue(T0 + 1000))).containsExactly("first", "second");
        }
    }
}
