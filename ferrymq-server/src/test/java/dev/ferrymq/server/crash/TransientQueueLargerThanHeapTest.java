package dev.ferrymq.server.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A queue of transient messages bigger than the broker's heap ({@code -Xmx256m}) pages out to the scratch page
 * file instead of running out of memory, delivers every message intact and in order, and leaves nothing behind
 * after a kill -9 and restart.
 */
class TransientQueueLargerThanHeapTest extends AbstractCrashTest {

    private static final String QUEUE = "crash.transient-deep";
    private static final int BODY = 4 * 1024;
    private static final int COUNT = 72_000; // 288 MiB of bodies

    @Test
    void deepTransientQueueLivesInThePageFile() throws Exception {
        broker.start();
        Path paging = broker.dataDir().resolve("paging");
        Connection c = connect();
        Channel ch = c.createChannel();
        ch.queueDeclare(QUEUE, false, false, false, null);
        for (long seq = 1; seq <= COUNT; seq++) {
            ch.basicPublish("", QUEUE, TRANSIENT, body(seq, BODY));
        }
        awaitMessageCount(c, COUNT);
        assertThat(sizeOf(paging)).as("bytes paged out").isGreaterThan(200L * 1024 * 1024);

        List<Received> received = drain(c, QUEUE, COUNT, BODY, true);
        assertThat(seqs(received)).isEqualTo(range(1, COUNT));
        assertThat(received).allMatch(Received::intact);
        assertThat(sizeOf(paging)).as("page file once everything is acknowledged")
                .isLessThanOrEqualTo(SEGMENT_SIZE);

        ch.queueDeclare("crash.transient-durable", true, false, false, null);
        for (long seq = 1; seq <= 20_000; seq++) {
            ch.basicPublish("", "crash.transient-durable", TRANSIENT, body(seq, BODY));
        }
        awaitMessageCount(c, "crash.transient-durable", 20_000);
        kill9();
        broker.restart();
        assertThat(messageCount(connect(), "crash.transient-durable")).isZero();
        assertThat(sizeOf(paging)).as("page file after a restart").isLessThan(1024);
        assertThat(Files.exists(broker.dataDir().resolve("messages"))).isTrue();
    }

    private void awaitMessageCount(Connection c, int expected) throws Exception {
        awaitMessageCount(c, QUEUE, expected);
    }

    private void awaitMessageCount(Connection c, String queue, int expected) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        int count;
        while ((count = messageCount(c, queue)) < expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(count).as("messages in %s", queue).isEqualTo(expected);
    }
}
