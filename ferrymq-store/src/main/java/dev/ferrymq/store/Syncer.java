package dev.ferrymq.store;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: writers mark files dirty after writing ({@link #markDirty}); callers ask to be told when
 * their writes are durable ({@link #whenDurable}); one background thread fsyncs every dirty file and then
 * runs the waiting callbacks, so many callers share one fsync.
 *
 * <pre>
 *  writer threads                         syncer thread (ALWAYS)
 *  write(); markDirty(f) ──► dirty set ──┐
 *  whenDurable(cb) ───────► pending ─────┼─► take pending batch ─► drain dirty set, fsync each ─► run batch
 *                                         (callers arriving meanwhile wait for the next round)
 * </pre>
 *
 * With nobody waiting, files marked dirty are still fsynced within a second (an idle sweep), so writes that
 * need no confirm, and records buffered until {@link Syncable#sync()}, do not wait for the next publisher.
 *
 * Why this is correct: a write's markDirty happens before its whenDurable, which happens before the batch is
 * taken (both under the lock), which happens before the dirty set is drained; so the drain sees the file.
 *
 * <p>An fsync failure is permanent (after a failed fsync the kernel may have dropped the dirty pages, so a
 * retry proves nothing): pending and later callbacks get the failure, or are dropped with an error log when
 * they have no failure handler. The process should restart and recover from the log.
 *
 * <p>Thread-safety: thread-safe. Callbacks run on the syncer thread (ALWAYS) or the caller's (PERIODIC) and
 * must be quick and must not block on the syncer.
 */
public final class Syncer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Syncer.class);

    private record Waiter(Runnable onDurable, Consumer<? super IOException> onFailure) {
    }

    private static final Waiter NO_WAITER = new Waiter(() -> { }, failure -> { });
    /** With ALWAYS and nobody waiting, dirty files are still fsynced after this long. */
    private static final long IDLE_SWEEP_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final StoreConfig config;
    private final Set<Syncable> dirty = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private List<Waiter> pending = new ArrayList<>();   // guarded by lock
    private long firstPendingNanos;                     // guarded by lock
    private boolean closing;                            // guarded by lock
    private volatile IOException failure;
    private final Thread thread;

    private final AtomicLong fsyncCount = new AtomicLong();
    private final AtomicLong rounds = new AtomicLong();
    private volatile long lastFsyncNanos;
    private final FsyncHistogram histogram = new FsyncHistogram();

    public Syncer(StoreConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.thread = new Thread(config.fsyncPolicy() == FsyncPolicy.ALWAYS ? this::runAlways : this::runPeriodic,
                "ferrymq-syncer");
        thread.setDaemon(true);
        thread.start();
    }

    /** The fsync policy: with ALWAYS a writer may also buffer its writes until the syncer calls its sync(). */
    public FsyncPolicy policy() {
        return config.fsyncPolicy();
    }

    /** Records that {@code file} has writes not yet fsynced. Call after the write has returned. */
    public void markDirty(Syncable file) {
        dirty.add(file);
    }

    /**
     * Runs {@code callback} once everything written (and marked dirty) before this call is durable per the
     * policy: with ALWAYS on the syncer thread after the next fsync of all dirty files; with PERIODIC at once
     * on the caller's thread. If fsync has failed the callback is dropped (logged).
     */
    public void whenDurable(Runnable callback) {
        whenDurable(callback, null);
    }

    /** Like {@link #whenDurable(Runnable)}; {@code onFailure} (may be null) gets the fsync failure instead. */
    public void whenDurable(Runnable callback, Consumer<? super IOException> onFailure) {
        Waiter waiter = new Waiter(Objects.requireNonNull(callback, "callback"), onFailure);
        IOException failed = failure;
        if (failed != null) {
            fail(waiter, failed);
            return;
        }
        if (config.fsyncPolicy() == FsyncPolicy.PERIODIC) {
            run(waiter);
            return;
        }
        lock.lock();
        try {
            if (closing) {
                throw new IllegalStateException("syncer is closed");
            }
            if (pending.isEmpty()) {
                firstPendingNanos = System.nanoTime();
                wake.signal();
            }
            pending.add(waiter);
        } finally {
            lock.unlock();
        }
    }

    /**
     * With ALWAYS, makes a group commit happen soon even if no caller waits for one: a writer that buffers
     * records until {@link Syncable#sync()} calls this so they reach the disk within the group-commit delay.
     */
    public void requestSync() {
        if (config.fsyncPolicy() == FsyncPolicy.PERIODIC || failure != null) {
            return;
        }
        lock.lock();
        try {
            if (closing || !pending.isEmpty()) {
                return; // a round is coming anyway (at close, the final one)
            }
            firstPendingNanos = System.nanoTime();
            pending.add(NO_WAITER);
            wake.signal();
        } finally {
            lock.unlock();
        }
    }

    private void runAlways() {
        long lingerNanos = TimeUnit.MICROSECONDS.toNanos(config.maxGroupCommitDelayMicros());
        while (true) {
            List<Waiter> batch;
            boolean stop;
            lock.lock();
            try {
                long idleSince = System.nanoTime();
                while (pending.isEmpty() && !closing) {
                    long idleLeft = idleSince + IDLE_SWEEP_NANOS - System.nanoTime();
                    if (idleLeft > 0) {
                        awaitNanos(idleLeft);
                    } else if (!dirty.isEmpty()) {
                        break; // a sweep: writes nobody waits for still reach the disk within a second
                    } else {
                        idleSince = System.nanoTime();
                    }
                }
                if (!pending.isEmpty()) {
                    // Let more callers join this fsync, but never delay the first one by more than the bound.
                    long deadline = firstPendingNanos + lingerNanos;
                    long left;
                    while (!closing && (left = deadline - System.nanoTime()) > 0) {
                        awaitNanos(left);
                    }
                }
                batch = pending;
                pending = new ArrayList<>();
                stop = closing;
            } finally {
                lock.unlock();
            }
            IOException error = syncDirty();
            for (Waiter w : batch) {
                if (error == null) {
                    run(w);
                } else {
                    fail(w, error);
                }
            }
            if (stop) {
                return; // closing was seen under the lock, so no caller was admitted after this batch
            }
        }
    }

    private void runPeriodic() {
        long periodNanos = TimeUnit.MILLISECONDS.toNanos(config.periodicFsyncMillis());
        while (true) {
            boolean stop;
            lock.lock();
            try {
                long deadline = System.nanoTime() + periodNanos;
                long left;
                while (!closing && (left = deadline - System.nanoTime()) > 0) {
                    awaitNanos(left);
                }
                stop = closing;
            } finally {
                lock.unlock();
            }
            syncDirty();
            if (stop) {
                return;
            }
        }
    }

    private void awaitNanos(long nanos) {
        try {
            wake.awaitNanos(nanos);
        } catch (InterruptedException e) {
            // Only close() stops this thread, via the closing flag.
        }
    }

    /** Fsyncs every dirty file once; returns the (sticky) failure, if any. */
    private IOException syncDirty() {
        if (failure != null) {
            return failure;
        }
        rounds.incrementAndGet();
        // Remove before forcing: a write after the removal re-adds the file for the next round.
        for (Iterator<Syncable> it = dirty.iterator(); it.hasNext(); ) {
            Syncable file = it.next();
            it.remove();
            long start = System.nanoTime();
            try {
                file.sync();
            } catch (IOException e) {
                LOG.error("fsync failed for {}; no further writes will be reported durable", file, e);
                failure = e;
                return e;
            }
            long took = System.nanoTime() - start;
            lastFsyncNanos = took;
            histogram.record(took);
            fsyncCount.incrementAndGet();
        }
        return null;
    }

    private static void run(Waiter w) {
        try {
            w.onDurable().run();
        } catch (RuntimeException | Error e) {
            LOG.error("durability callback failed", e);
        }
    }

    private static void fail(Waiter w, IOException error) {
        if (w.onFailure() == null) {
            LOG.error("dropping durability callback: fsync failed earlier ({})", error.toString());
            return;
        }
        try {
            w.onFailure().accept(error);
        } catch (RuntimeException | Error e) {
            LOG.error("durability failure callback failed", e);
        }
    }

    /** Number of file fsyncs performed (one per dirty file per round). */
    public long fsyncCount() {
        return fsyncCount.get();
    }

    /** Number of sync rounds (each completes one batch of callbacks). */
    public long syncRounds() {
        return rounds.get();
    }

    /** Duration of the most recent single-file fsync, in nanoseconds. */
    public long lastFsyncNanos() {
        return lastFsyncNanos;
    }

    public FsyncHistogram fsyncLatency() {
        return histogram;
    }

    /** The fsync failure that stopped durability reports, or null. */
    public IOException failure() {
        return failure;
    }

    /**
     * Fsyncs every dirty file one last time, completes outstanding callbacks and stops the thread.
     * Idempotent. Later {@link #whenDurable} calls with ALWAYS throw IllegalStateException.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closing = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
        if (Thread.currentThread() == thread) {
            return; // called from a callback: the loop ends after this round
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
