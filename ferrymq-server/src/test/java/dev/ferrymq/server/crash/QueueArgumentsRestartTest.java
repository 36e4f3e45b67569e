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
 * its recovered messages into the dead-letter queue (with x-death), and its length limit still holds.
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
}
