package dev.ferrymq.broker.queue.classic;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's timer thread (message expiry, queue expiry). One daemon thread for every broker in the process:
 * timer tasks are short and only take a queue lock. Thread-safe.
 */
final class Timers {
    private static final Logger LOG = LoggerFactory.getLogger(Timers.class);
    private static final ScheduledExecutorService EXECUTOR = create();

    private Timers() {
    }

    private static ScheduledExecutorService create() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "ferrymq-timers");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true); // cancelled expiry timers must not pile up
        return executor;
    }

    static ScheduledFuture<?> schedule(Runnable task, long delayMillis) {
        return EXECUTOR.schedule(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("timer task failed", e);
            }
        }, delayMillis, TimeUnit.MILLISECONDS);
    }
}
