package dev.ferrymq.server.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Queue arguments outlive the broker: after a kill -9 and restart, a durable queue's message TTL still expires
 * its recovered messages into the dead-letter queue (with x-death), its length limits still hold (counting the
 * recovered messages' bytes) and recovered messages keep their priority.
 */
class QueueArgumentsRestartTest extends AbstractCrashTest {

    @Test
    void ttlDeadLetteringAndLengthLimitSurviveKill9() throws Exception {
        broker.start();
        Connection c = connect();
        Channel ch = c.createChannel();
        ch.queueDeclare("dead", true, false, false, null);
        ch.queueDeclare("delayed", true, false, false, Map.of("x-message-ttl", 3_000,
                "x-dead-letter-exchange", "", "x-dead-letter-routing-key", "dead"));
        ch.queueDeclare("bounded", true, false, false, Map.of("x-max-length", 3));
        ch.confirmSelect();
        for (long seq = 1; seq <= 5; seq++) {
            ch.basicPublish("", "delayed", PERSISTENT, body(seq, 100));
            ch.basicPublish("", "bounded", PERSISTENT, body(seq, 100));
        }
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        kill9();
        broker.restart();

        Connection after = connect();
        assertThat(messageCount(after, "bounded")).isEqualTo(3);
        Channel ach = after.createChannel();
        ach.basicPublish("", "bounded", PERSISTENT, body(6, 100));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (messageCount(after, "dead") < 5 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(messageCount(after, "delayed")).isZero();
        List<Received> dead = drain(after, "dead", 5, 100, true);
        assertThat(seqs(dead)).isEqualTo(range(1, 5));
        GetResponse oldest = ach.basicGet("bounded", true);
        assertThat(seqOf(oldest.getBody())).as("the limit dropped the oldest").isEqualTo(4);
        assertThat(messageCount(after, "bounded")).isEqualTo(2);
    }

    @Test
    void deadLetteredMessagesCarryXDeathAfterARestart() throws Exception {
        broker.start();
        Channel ch = connect().createChannel();
        ch.queueDeclare("dead", true, false, false, null);
        ch.queueDeclare("delayed", true, false, false, Map.of("x-message-ttl", 1_000,
                "x-dead-letter-exchange", "", "x-dead-letter-routing-key", "dead"));
        ch.confirmSelect();
        ch.basicPublish("", "delayed", PERSISTENT, body(1, 100));
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        stopGracefully();
        Thread.sleep(1_200); // expired while the broker was down
        broker.restart();
        Connection after = connect();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (messageCount(after, "dead") < 1 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        GetResponse dead = after.createChannel().basicGet("dead", true);
        assertThat(dead).isNotNull();
        assertThat(dead.getProps().getHeaders().get("x-first-death-reason").toString()).isEqualTo("expired");
        assertThat(dead.getProps().getDeliveryMode()).isEqualTo(2);
    }

    @Test
    void prioritiesAndByteLimitsHoldForRecoveredMessages() throws Exception {
        broker.start();
        Channel ch = connect().createChannel();
        ch.queueDeclare("prio", true, false, false, Map.of("x-max-priority", 9));
        ch.queueDeclare("bytes", true, false, false, Map.of("x-max-length-bytes", 250,
                "x-overflow", "reject-publish"));
        ch.confirmSelect();
        int[] priorities = {1, 9, 5};
        for (int i = 0; i < priorities.length; i++) {
            ch.basicPublish("", "prio", PERSISTENT.builder().priority(priorities[i]).build(), body(i + 1, 100));
        }
        ch.basicPublish("", "bytes", PERSISTENT, body(1, 100));
        ch.basicPublish("", "bytes", PERSISTENT, body(2, 100));
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        kill9();
        broker.restart();

        Channel after = connect().createChannel();
        List<Long> order = new java.util.ArrayList<>();
        for (GetResponse r; (r = after.basicGet("prio", true)) != null; ) {
            order.add(seqOf(r.getBody()));
        }
        assertThat(order).as("highest priority first, as before the crash").containsExactly(2L, 3L, 1L);

        after.confirmSelect();
        after.basicPublish("", "bytes", PERSISTENT, body(3, 100));
        assertThat(after.waitForConfirms(WAIT.toMillis()))
                .as("200 recovered bytes + 100 exceed x-max-length-bytes 250: nacked").isFalse();
        assertThat(messageCount(connect(), "bytes")).isEqualTo(2);
    }
}
