package dev.ferrymq.broker.queue.classic;

import dev.ferrymq.broker.FakeConsumer;
import dev.ferrymq.broker.Messages;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.queue.QueueEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.ferrymq.broker.Messages.msg;
import static org.assertj.core.api.Assertions.assertThat;

class QueueConcurrencyTest {

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void concurrentPublishersDeliverEveryMessageExactlyOnceKeepingPerPublisherOrder() throws Exception {
        VirtualHost vhost = new VirtualHost("/");
        Queue queue = vhost.declareQueue("q", false, false, false, false, Map.of(), null).queue();
        FakeConsumer a = new FakeConsumer("a");
        FakeConsumer b = new FakeConsumer("b", true);
        queue.addConsumer(a, false);
        queue.addConsumer(b, false);

        int publishers = 4;
        int perPublisher = 2_000;
        ExecutorService pool = Executors.newFixedThreadPool(publishers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int p = 0; p < publishers; p++) {
            int id = p;
            futures.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < perPublisher; i++) {
                    vhost.publish("", "q", msg(id + ":" + i), null);
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get(20, TimeUnit.SECONDS);
        }
        pool.shutdown();

        List<String> all = new ArrayList<>();
        synchronized (a) {
            all.addAll(a.bodies());
        }
        synchronized (b) {
            all.addAll(b.bodies());
        }
        Set<String> unique = new HashSet<>(all);
        assertThat(all).hasSize(publishers * perPublisher);
        assertThat(unique).hasSize(publishers * perPublisher);
        assertThat(queue.messageCount()).isZero();
        assertThat(queue.unackedCount()).isEqualTo(a.delivered.size());

        // Sequence numbers follow publish order: each publisher's messages have increasing seqs.
        List<QueueEntry> entries = new ArrayList<>(a.delivered);
        entries.addAll(b.delivered);
        entries.sort((x, y) -> Long.compare(x.seq(), y.seq()));
        int[] next = new int[publishers];
        for (QueueEntry e : entries) {
            String[] parts = Messages.body(e).split(":");
            int id = Integer.parseInt(parts[0]);
            assertThat(Integer.parseInt(parts[1])).isEqualTo(next[id]++);
        }
    }
}
