package dev.ferrymq.server.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Segments are deleted once no queue holds a message in them: pushing 200 MiB of persistent messages through a
 * durable queue (publish, consume, ack) never keeps more than two 64 MiB segments on disk, and after a graceful
 * restart the queue is empty and only the active segment is left. The same must hold for deliveries that leave
 * because their queue was deleted.
 */
class DiskReclaimTest extends AbstractCrashTest {

    private static final String QUEUE = "crash.reclaim";
    private static final int BODY = 64 * 1024;
    private static final int TOTAL = 3_200; // 200 MiB
    private static final int MAX_AHEAD = 400;
    /** Two segments and some slack; well below TOTAL * BODY. */
    private static final long MAX_DIR_BYTES = 2 * SEGMENT_SIZE + 16 * 1024 * 1024;

    @Test
    void acknowledgedMessagesFreeTheirSegments() throws Exception {
        broker.start();
        Connection c = connect();
        Channel pub = c.createChannel();
        pub.queueDeclare(QUEUE, true, false, false, null);
        pub.confirmSelect();

        Channel sub = c.createChannel();
        sub.basicQos(200);
        AtomicLong consumed = new AtomicLong();
        AtomicReference<String> consumerProblem = new AtomicReference<>();
        sub.basicConsume(QUEUE, false, new DefaultConsumer(sub) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                    throws IOException {
                long expected = consumed.get() + 1;
                if ((seqOf(body) != expected || !intact(body, BODY)) && consumerProblem.get() == null) {
                    consumerProblem.set("expected intact message " + expected + ", got " + seqOf(body));
                }
                getChannel().basicAck(envelope.getDeliveryTag(), false);
                consumed.incrementAndGet();
            }
        });

        Path messages = broker.messagesDir();
        DirSampler sampler = new DirSampler(messages);
        sampler.start();
        try {
            for (long seq = 1; seq <= TOTAL; seq++) {
                pub.basicPublish("", QUEUE, PERSISTENT, body(seq, BODY));
                if (seq % 50 == 0) {
                    pub.waitForConfirmsOrDie(WAIT.toMillis());
                    awaitConsumed(consumed, seq - MAX_AHEAD);
                }
            }
            pub.waitForConfirmsOrDie(WAIT.toMillis());
            awaitConsumed(consumed, TOTAL);
            // Same channel as the acks: once this answer is back the broker has processed all of them.
            assertThat(sub.queueDeclarePassive(QUEUE).getMessageCount()).isZero();
        } finally {
            sampler.halt();
        }
        assertThat(consumerProblem.get()).as("consumer saw").isNull();
        assertThat(consumed.get()).isEqualTo(TOTAL);

        long finalSize = sizeOf(messages);
        int finalSegments = segmentFiles(messages).size();
        System.out.printf("DiskReclaimTest: %d MiB through the queue; messages dir max %d MiB / %d segments "
                        + "during the run, %d MiB / %d segments at the end%n", (long) TOTAL * BODY >> 20,
                sampler.maxBytes >> 20, sampler.maxSegments, finalSize >> 20, finalSegments);
        // The consumer is at most MAX_AHEAD messages (25 MiB) behind, so at most the active segment and the one
        // before it can hold live messages. The bound stays below the 200 MiB that would be kept without reclaim.
        assertThat(sampler.maxBytes).as("largest size of %s during the run (%d samples)", messages,
                sampler.samples).isLessThan(MAX_DIR_BYTES);
        assertThat(finalSize).as("size of %s at the end", messages).isLessThan(MAX_DIR_BYTES);
        assertThat(finalSegments).as("segments left at the end").isLessThanOrEqualTo(2);

        stopGracefully();
        broker.restart();
        Connection c2 = connect();
        assertThat(messageCount(c2, QUEUE)).as("queue after the restart").isZero();
        assertThat(segmentFiles(messages)).as("segments after the restart: only the active one")
                .hasSize(1);
        assertThat(sizeOf(messages)).isLessThanOrEqualTo(SEGMENT_SIZE);
    }

    /**
     * A queue deleted while a consumer holds one of its deliveries unacknowledged: when the consumer's channel
     * closes, that delivery has no queue to go back to and leaves for good, so its segment must be freed (as an
     * ack would). About 70 MiB in 1 MiB messages, to have a sealed segment; the consumer holds message 1.
     */
    @Test
    void deletingAQueueWithAnUnackedDeliveryFreesItsSegment() throws Exception {
        String queue = "crash.reclaim.deleted";
        int body = 1024 * 1024;
        int count = 70;
        broker.start();
        Connection c = connect();
        Channel pub = c.createChannel();
        pub.queueDeclare(queue, true, false, false, null);
        publishConfirmed(pub, "", queue, 1, count, body, PERSISTENT, 10);
        Path messages = broker.messagesDir();
        assertThat(segmentFiles(messages)).as("segments after publishing").hasSize(2);

        Channel sub = c.createChannel();
        sub.basicQos(1);
        AtomicLong delivered = new AtomicLong();
        sub.basicConsume(queue, false, new DefaultConsumer(sub) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] b) {
                delivered.set(seqOf(b));
            }
        });
        awaitConsumed(delivered, 1);
        assertThat(delivered.get()).isEqualTo(1);
        assertThat(pub.queueDelete(queue).getMessageCount()).as("ready messages deleted with the queue")
                .isEqualTo(count - 1);
        sub.close(); // message 1 would be requeued, but its queue is gone: it leaves for good

        long deadline = System.nanoTime() + 3_000_000_000L;
        while (segmentFiles(messages).size() > 1 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(segmentFiles(messages)).as("segments once nothing references the sealed one (only the active "
                + "segment should be left)").hasSize(1);
    }

    private static void awaitConsumed(AtomicLong consumed, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (consumed.get() < atLeast) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("consumer did not reach " + atLeast + " (at " + consumed.get() + ")");
            }
            Thread.sleep(1);
        }
    }

    /** Polls the size and segment count of a directory until halted; keeps the maxima. */
    private static final class DirSampler extends Thread {
        private final Path dir;
        private volatile boolean running = true;
        volatile long maxBytes;
        volatile int maxSegments;
        volatile int samples;
        volatile Exception failure;

        DirSampler(Path dir) {
            super("crash-dir-sampler");
            setDaemon(true);
            this.dir = dir;
        }

        @Override
        public void run() {
            while (running) {
                try {
                    maxBytes = Math.max(maxBytes, sizeOf(dir));
                    maxSegments = Math.max(maxSegments, segmentFiles(dir).size());
                    samples++;
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    failure = e;
                    return;
                }
            }
        }

        void halt() throws InterruptedException {
            running = false;
            join(5_000);
            if (failure != null) {
                throw new AssertionError("sampling " + dir + " failed", failure);
            }
        }
    }
}
