package dev.ferrymq.broker.queue.classic;

import dev.ferrymq.broker.Message;

import java.util.concurrent.ScheduledFuture;
import java.util.function.LongUnaryOperator;

/**
 * A queue's clocks: message TTL (when an entry expires, and one timer for the head's expiry so expired messages
 * go without consumers) and queue expiry ({@code x-expires}: when the queue was last used). Guarded by the
 * owning queue's lock; the scheduled tasks take that lock themselves.
 */
final class Expiry {
    /** Schedules a task on the broker's timer thread ({@link Timers}; tests pass their own). */
    interface Scheduler {
        ScheduledFuture<?> schedule(Runnable task, long delayMillis);
    }

    private final Scheduler scheduler;
    /** When the head's expiry timer fires (epoch ms), or 0 when none is scheduled. */
    private long headTimerAt;
    private ScheduledFuture<?> headTimer;
    /** x-expires: when the queue was last used (epoch ms). */
    private long lastUsedMillis = System.currentTimeMillis();

    Expiry(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    /** When a message enqueued {@code now} expires: the earlier of its own expiry and the queue's TTL (-1: none). */
    static long expiresAt(long messageExpiresAt, long messageTtl, long now) {
        if (messageTtl < 0) {
            return messageExpiresAt;
        }
        long queueExpiry = now + messageTtl;
        return messageExpiresAt == Message.NEVER ? queueExpiry : Math.min(queueExpiry, messageExpiresAt);
    }

    /** Arms the head timer to run {@code expireHead} at {@code at} (epoch ms), unless one fires no later. */
    void scheduleHead(long at, Runnable expireHead) {
        if (at == Message.NEVER || headTimerAt != 0 && headTimerAt <= at) {
            return;
        }
        if (headTimer != null) {
            headTimer.cancel(false);
        }
        headTimerAt = at;
        headTimer = scheduler.schedule(expireHead, Math.max(0, at - System.currentTimeMillis()));
    }

    /** The head timer fired: the next {@link #scheduleHead} arms a new one. */
    void headTimerFired() {
        headTimerAt = 0;
        headTimer = null;
    }

    /** The queue is gone: no more head timer. */
    void cancel() {
        if (headTimer != null) {
            headTimer.cancel(false);
        }
        headTimerAt = 0;
        headTimer = null;
    }

    /** The queue was used (declared, consumed from, got from): x-expires counts from now. */
    void used() {
        lastUsedMillis = System.currentTimeMillis();
    }

    /** How long the queue has been unused; never while it has consumers. */
    long unusedFor(boolean hasConsumers) {
        return hasConsumers ? 0 : System.currentTimeMillis() - lastUsedMillis;
    }

    /**
     * x-expires: checks when the queue may next have gone unused for {@code expires} ms (none when not positive),
     * and runs {@code expired} then. {@code unusedFor} tells how long it has been unused, or -1 to stop checking
     * (the queue was deleted, or a policy changed its expiry and scheduled a check of its own).
     */
    void watchUnused(long expires, LongUnaryOperator unusedFor, Runnable expired) {
        if (expires > 0) {
            scheduler.schedule(() -> checkUnused(expires, unusedFor, expired), expires);
        }
    }

    private void checkUnused(long expires, LongUnaryOperator unusedFor, Runnable expired) {
        long idleFor = unusedFor.applyAsLong(expires);
        if (idleFor >= expires) {
            expired.run();
        } else if (idleFor >= 0) {
            scheduler.schedule(() -> checkUnused(expires, unusedFor, expired), expires - idleFor);
        }
    }
}
