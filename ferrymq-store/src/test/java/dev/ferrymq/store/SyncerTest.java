package dev.ferrymq.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyncerTest {

    private static final StoreConfig ALWAYS = StoreConfig.defaults().withMaxGroupCommitDelayMicros(500);

    @TempDir
    Path dir;

    /** Counts syncs; optionally fails. */
    private static final class FakeFile implements Syncable {
        final AtomicInteger syncs = new AtomicInteger();
        volatile IOException failWith;

        @Override
        public void sync() throws IOException {
            if (failWith != null) {
                throw failWith;
            }
            syncs.incrementAndGet();
        }
    }

    @Test
    void aDirtyFileNobodyWaitsForIsForcedByTheIdleSweep() throws Exception {
        try (Syncer syncer = new Syncer(ALWAYS)) {
            FakeFile file = new FakeFile();
            syncer.markDirty(file);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (file.syncs.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(file.syncs.get()).as("forced without any whenDurable").isEqualTo(1);
        }
    }

    @Test
    void requestSyncMakesARoundHappenWithinTheGroupCommitDelay() throws Exception {
        try (Syncer syncer = new Syncer(ALWAYS.withMaxGroupCommitDelayMicros(0))) {
            FakeFile file = new FakeFile();
            long start = System.nanoTime();
            syncer.markDirty(file);
            syncer.requestSync();
            while (file.syncs.get() == 0 && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10)) {
                Thread.onSpinWait();
            }
            assertThat(file.syncs.get()).isEqualTo(1);
            assertThat(System.nanoTime() - start).as("well before the one-second idle sweep")
                    .isLessThan(TimeUnit.MILLISECONDS.toNanos(500));
        }
    }

    @Test
    void callbackRunsOnlyAfterTheDirtyFileWasForced() throws Exception {
        try (Syncer syncer = new Syncer(ALWAYS)) {
            FakeFile file = new FakeFile();
            for (int round = 1; round <= 3; round++) {
                syncer.markDirty(file);
                CompletableFuture<Integer> seen = new CompletableFuture<>();
                AtomicReference<Thread> on = new AtomicReference<>();
                syncer.whenDurable(() -> {
                    on.set(Thread.currentThread());
                    seen.complete(file.syncs.get());
                });
                assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo(round);
                assertThat(on.get().getName()).isEqualTo("ferrymq-syncer");
            }
            // Nothing dirty: a callback still completes, without an fsync.
            CountDownLatch done = new CountDownLatch(1);
            syncer.whenDurable(done::countDown);
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(file.syncs.get()).isEqualTo(3);
        }
    }

    @Test
    void concurrentCallersShareFsyncs() throws Exception {
        int threads = 4;
        int perThread = 1000;
        try (SegmentLog log = SegmentLog.open(dir, ALWAYS)) {
            Syncer syncer = log.syncer();
            AtomicInteger completed = new AtomicInteger();
            AtomicInteger tooEarly = new AtomicInteger();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                Thread w = new Thread(() -> {
                    try {
                        for (int i = 0; i < perThread; i++) {
                            log.append(TestFiles.payload(id * perThread + i, 100));
                            long fsyncsAtCall = syncer.fsyncCount();
                            CountDownLatch done = new CountDownLatch(1);
                            syncer.whenDurable(() -> {
                                if (syncer.fsyncCount() <= fsyncsAtCall) {
                                    tooEarly.incrementAndGet();
                                }
                                completed.incrementAndGet();
                                done.countDown();
                            });
                            // Wait like a publisher waiting for its confirm.
                            if (!done.await(30, TimeUnit.SECONDS)) {
                                throw new AssertionError("callback never ran");
                            }
                        }
                    } catch (IOException | InterruptedException e) {
                        throw new RuntimeException(e);
                    }
                });
                w.start();
                workers.add(w);
            }
            for (Thread w : workers) {
                w.join(120_000);
            }
            int calls = threads * perThread;
            assertThat(completed.get()).isEqualTo(calls);
            assertThat(tooEarly.get()).isZero();
            assertThat(syncer.fsyncCount()).isPositive().isLessThan(calls / 2);
            assertThat(syncer.lastFsyncNanos()).isPositive();
            assertThat(java.util.Arrays.stream(syncer.fsyncLatency().snapshot()).sum())
                    .isEqualTo(syncer.fsyncCount());
            assertThat(syncer.fsyncLatency().totalNanos()).isPositive();
        }
    }

    @Test
    void periodicRunsCallbackImmediatelyAndFsyncsInTheBackground() throws Exception {
        try (Syncer syncer = new Syncer(StoreConfig.defaults().withFsyncPolicy(FsyncPolicy.PERIODIC)
                .withPeriodicFsyncMillis(20))) {
            FakeFile file = new FakeFile();
            syncer.markDirty(file);
            AtomicReference<Thread> on = new AtomicReference<>();
            syncer.whenDurable(() -> on.set(Thread.currentThread()));
            assertThat(on.get()).isSameAs(Thread.currentThread());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (file.syncs.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(file.syncs.get()).isEqualTo(1);
        }
    }

    @Test
    void closeFsyncsAndCompletesPendingCallbacks() throws Exception {
        // A 10 s group-commit delay: only close() can complete the callback in time.
        Syncer syncer = new Syncer(StoreConfig.defaults().withMaxGroupCommitDelayMicros(10_000_000));
        FakeFile file = new FakeFile();
        syncer.markDirty(file);
        AtomicInteger syncsSeen = new AtomicInteger(-1);
        syncer.whenDurable(() -> syncsSeen.set(file.syncs.get()));
        Thread.sleep(50);
        assertThat(syncsSeen.get()).isEqualTo(-1);
        long start = System.nanoTime();
        syncer.close();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5000);
        assertThat(syncsSeen.get()).isEqualTo(1);
        assertThatThrownBy(() -> syncer.whenDurable(() -> { })).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void fsyncFailureIsReportedAndSticky() throws Exception {
        try (Syncer syncer = new Syncer(ALWAYS)) {
            FakeFile file = new FakeFile();
            file.failWith = new IOException("disk on fire");
            syncer.markDirty(file);
            CompletableFuture<IOException> failed = new CompletableFuture<>();
            AtomicInteger durable = new AtomicInteger();
            syncer.whenDurable(durable::incrementAndGet, failed::complete);
            assertThat(failed.get(10, TimeUnit.SECONDS)).hasMessage("disk on fire");

            file.failWith = null;
            CompletableFuture<IOException> later = new CompletableFuture<>();
            syncer.whenDurable(durable::incrementAndGet, later::complete);
            assertThat(later.get(10, TimeUnit.SECONDS)).hasMessage("disk on fire");
            assertThat(durable.get()).isZero();
            assertThat(syncer.failure()).isNotNull();
        }
    }
}
