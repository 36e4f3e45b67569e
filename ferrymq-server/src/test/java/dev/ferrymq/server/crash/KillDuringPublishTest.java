package dev.ferrymq.server.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import java.util.List;
import java.util.NavigableSet;
import java.util.Random;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kill -9 while a publisher streams confirmed persistent messages: after the restart every confirmed message is
 * in the queue exactly once and in publish order; unconfirmed ones may or may not be there, but no duplicate and
 * no reordering.
 */
class KillDuringPublishTest extends AbstractCrashTest {

    private static final String QUEUE = "crash.publish";
    private static final int BODY = 200;
    private static final int WINDOW = 300;

    /** docs/storage.md: with either fsync policy, "kill -9: nothing confirmed is lost". */
    @ParameterizedTest(name = "--fsync {0}")
    @ValueSource(strings = {"always", "periodic"})
    void everyConfirmedMessageSurvivesExactlyOnceInOrder(String fsync) throws Exception {
        long seed = System.nanoTime();
        int killAfter = 1_500 + new Random(seed).nextInt(1_000);
        String context = "--fsync " + fsync + ", seed " + seed + ", kill after " + killAfter + " confirms";

        broker = BrokerProcess.on(broker.dataDir(), "--fsync", fsync);
        broker.start();
        Connection c = connect();
        Channel ch = c.createChannel();
        ch.queueDeclare(QUEUE, true, false, false, null);
        ch.confirmSelect();

        NavigableSet<Long> outstanding = new ConcurrentSkipListSet<>();
        NavigableSet<Long> confirmed = new ConcurrentSkipListSet<>();
        AtomicInteger nacks = new AtomicInteger();
        Semaphore window = new Semaphore(WINDOW);
        ch.addConfirmListener(new ConfirmListener() {
            @Override
            public void handleAck(long tag, boolean multiple) {
                settle(tag, multiple, confirmed);
            }

            @Override
            public void handleNack(long tag, boolean multiple) {
                nacks.incrementAndGet();
                settle(tag, multiple, new ConcurrentSkipListSet<>());
            }

            private void settle(long tag, boolean multiple, NavigableSet<Long> into) {
                NavigableSet<Long> settled = multiple ? outstanding.headSet(tag, true) : outstanding.subSet(tag,
                        true, tag, true);
                int n = 0;
                for (Long seq; (seq = settled.pollFirst()) != null; n++) {
                    into.add(seq);
                }
                window.release(n);
            }
        });

        AtomicLong lastAttempted = new AtomicLong();
        AtomicReference<Throwable> publisherEnded = new AtomicReference<>();
        Thread publisher = new Thread(() -> {
            try {
                for (long seq = 1; seq <= 1_000_000; seq++) {
                    while (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        if (!ch.isOpen()) {
                            throw new IllegalStateException("channel closed");
                        }
                    }
                    assertThat(ch.getNextPublishSeqNo()).isEqualTo(seq);
                    outstanding.add(seq);
                    lastAttempted.set(seq);
                    ch.basicPublish("", QUEUE, PERSISTENT, body(seq, BODY));
                }
                publisherEnded.set(new AssertionError("published everything before the kill"));
            } catch (Throwable t) {
                publisherEnded.set(t);
            }
        }, "crash-publisher");
        publisher.start();

        long deadline = System.nanoTime() + WAIT.toNanos();
        while (confirmed.size() < killAfter) {
            assertThat(publisherEnded.get()).as("publisher ended before the kill (%s)", context).isNull();
            assertThat(System.nanoTime()).as("%d confirms within %s (%s)", killAfter, WAIT, context)
                    .isLessThan(deadline);
            Thread.sleep(1);
        }
        assertThat(publisher.isAlive()).as("still publishing at the kill").isTrue();
        long attemptedAtKill = lastAttempted.get();
        int confirmedAtKill = confirmed.size();
        kill9();
        publisher.join(10_000);
        assertThat(publisher.isAlive()).as("publisher stopped after the kill").isFalse();

        // Confirms the broker sent before dying may still have been read after the kill: they count too.
        List<Long> confirmedSnapshot = List.copyOf(confirmed);
        long maxAttempted = lastAttempted.get();
        assertThat(nacks.get()).as("nacks").isZero();

        broker.restart();
        Connection c2 = connect();
        int count = messageCount(c2, QUEUE);
        List<Long> recovered = seqs(drain(c2, QUEUE, count, BODY, true));

        assertThat(recovered).as("recovered messages are in publish order without duplicates (%s)", context)
                .isSorted().doesNotHaveDuplicates();
        assertThat(recovered).as("every confirmed message is recovered (%s)", context)
                .containsAll(confirmedSnapshot);
        assertThat(recovered).as("nothing recovered that was not published (%s)", context)
                .allMatch(seq -> seq >= 1 && seq <= maxAttempted);
        System.out.printf("KillDuringPublishTest: %s; at the kill %d confirmed of %d published; finally %d "
                + "confirmed of %d attempted, %d recovered%n", context, confirmedAtKill, attemptedAtKill,
                confirmedSnapshot.size(), maxAttempted, recovered.size());
    }
}
