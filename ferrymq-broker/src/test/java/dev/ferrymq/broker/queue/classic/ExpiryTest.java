package dev.ferrymq.broker.queue.classic;

import dev.ferrymq.broker.Message;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Message TTL arithmetic and the head-expiry timer: one timer, re-armed only for an earlier expiry. */
class ExpiryTest {
    /** A scheduler that records what it was asked and never runs anything. */
    private static final class Recording implements Expiry.Scheduler {
        final List<Long> delays = new ArrayList<>();
        final List<Timer> timers = new ArrayList<>();
        final List<Runnable> tasks = new ArrayList<>();

        @Override
        public ScheduledFuture<?> schedule(Runnable task, long delayMillis) {
            delays.add(delayMillis);
            tasks.add(task);
            Timer timer = new Timer();
            timers.add(timer);
            return timer;
        }
    }

    private static final class Timer extends CompletableFuture<Object> implements ScheduledFuture<Object> {
        @Override
        public long getDelay(TimeUnit unit) {
            return 0;
        }

        @Override
        public int compareTo(Delayed other) {
            return 0;
        }
    }

    @Test
    void aMessageExpiresAtTheEarlierOfItsOwnExpiryAndTheQueueTtl() {
        assertThat(Expiry.expiresAt(Message.NEVER, -1, 1_000)).isEqualTo(Message.NEVER);
        assertThat(Expiry.expiresAt(5_000, -1, 1_000)).isEqualTo(5_000);
        assertThat(Expiry.expiresAt(Message.NEVER, 100, 1_000)).isEqualTo(1_100);
        assertThat(Expiry.expiresAt(1_050, 100, 1_000)).isEqualTo(1_050);
        assertThat(Expiry.expiresAt(9_000, 100, 1_000)).isEqualTo(1_100);
        assertThat(Expiry.expiresAt(Message.NEVER, 0, 1_000)).as("x-message-ttl 0").isEqualTo(1_000);
    }

    @Test
    void theHeadTimerIsReArmedOnlyForAnEarlierExpiry() {
        Recording scheduler = new Recording();
        Expiry expiry = new Expiry(scheduler);
        long now = System.currentTimeMillis();
        expiry.scheduleHead(now + 60_000, () -> { });
        expiry.scheduleHead(now + 90_000, () -> { });
        expiry.scheduleHead(Message.NEVER, () -> { });
        assertThat(scheduler.timers).as("later or never: the armed timer covers it").hasSize(1);

        expiry.scheduleHead(now + 10_000, () -> { });
        assertThat(scheduler.timers).hasSize(2);
        assertThat(scheduler.timers.get(0).isCancelled()).as("the later timer is cancelled").isTrue();
        assertThat(scheduler.delays.get(1)).isBetween(0L, 10_000L);

        expiry.headTimerFired();
        expiry.scheduleHead(now + 90_000, () -> { });
        assertThat(scheduler.timers).as("after firing, any expiry arms a new timer").hasSize(3);
        expiry.cancel();
        assertThat(scheduler.timers.get(2).isCancelled()).isTrue();
    }

    @Test
    void aPastExpiryFiresAtOnce() {
        Recording scheduler = new Recording();
        new Expiry(scheduler).scheduleHead(System.currentTimeMillis() - 5_000, () -> { });
        assertThat(scheduler.delays).containsExactly(0L);
    }

    @Test
    void aQueueWithConsumersIsNeverUnused() throws InterruptedException {
        Expiry expiry = new Expiry(new Recording());
        Thread.sleep(20);
        assertThat(expiry.unusedFor(true)).isZero();
        assertThat(expiry.unusedFor(false)).isGreaterThanOrEqualTo(20);
        expiry.used();
        assertThat(expiry.unusedFor(false)).isLessThan(20);
    }

    @Test
    void anUnusedQueueExpiresOnlyOnceUnusedForTheWholePeriod() {
        Recording scheduler = new Recording();
        Expiry expiry = new Expiry(scheduler);
        AtomicLong unusedFor = new AtomicLong(400);
        AtomicInteger expired = new AtomicInteger();
        expiry.watchUnused(0, expires -> 0, expired::incrementAndGet);
        expiry.watchUnused(-1, expires -> 0, expired::incrementAndGet);
        assertThat(scheduler.delays).as("no x-expires: nothing to watch").isEmpty();

        expiry.watchUnused(1_000, expires -> unusedFor.get(), expired::incrementAndGet);
        scheduler.tasks.get(0).run(); // used 400 ms ago: look again when it could have been 1,000
        assertThat(scheduler.delays).containsExactly(1_000L, 600L);
        unusedFor.set(1_000);
        scheduler.tasks.get(1).run();
        assertThat(expired).hasValue(1);
        assertThat(scheduler.tasks).hasSize(2);

        expiry.watchUnused(1_000, expires -> -1, expired::incrementAndGet);
        scheduler.tasks.get(2).run();
        assertThat(scheduler.tasks).as("deleted or re-timed: the check stops").hasSize(3);
        assertThat(expired).hasValue(1);
    }
}
