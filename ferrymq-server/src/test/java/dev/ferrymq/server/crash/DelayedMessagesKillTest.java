package dev.ferrymq.server.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scheduled messages of a durable delayed-message exchange live in the store: a confirmed persistent message
 * survives kill -9 and is routed when due (or at once, if it fell due while the broker was down), in due order;
 * transient ones do not survive, as transient messages in queues do not.
 */
class DelayedMessagesKillTest extends AbstractCrashTest {

    private static AMQP.BasicProperties delayed(int deliveryMode, long millis) {
        return new AMQP.BasicProperties.Builder().deliveryMode(deliveryMode).headers(Map.of("x-delay", millis))
                .build();
    }

    private static void declare(Channel ch) throws Exception {
        ch.exchangeDeclare("later", "x-delayed-message", true, false, Map.of("x-delayed-type", "direct"));
        ch.queueDeclare("due", true, false, false, null);
        ch.queueBind("due", "later", "k");
    }

    @Test
    void confirmedScheduledMessagesSurviveKill9AndArriveInDueOrder() throws Exception {
        broker.start();
        Channel ch = connect().createChannel();
        declare(ch);
        ch.confirmSelect();
        // seq 1..10 due in reverse publish order, some while the broker is down, some after it is back
        for (long seq = 1; seq <= 10; seq++) {
            ch.basicPublish("later", "k", delayed(2, 4_000 - seq * 200), body(seq, 100));
        }
        ch.basicPublish("later", "k", delayed(1, 2_000), body(99, 100)); // transient: gone with the process
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        kill9();
        broker.restart();

        Connection after = connect();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (messageCount(after, "due") < 10 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        Thread.sleep(500);
        List<Received> received = drain(after, "due", 10, 100, true);
        assertThat(seqs(received)).containsExactly(10L, 9L, 8L, 7L, 6L, 5L, 4L, 3L, 2L, 1L);
        assertThat(received).allMatch(Received::intact);
    }

    @Test
    void routedMessagesAreNotRoutedAgainAfterARestart() throws Exception {
        broker.start();
        Channel ch = connect().createChannel();
        declare(ch);
        ch.confirmSelect();
        for (long seq = 1; seq <= 5; seq++) {
            ch.basicPublish("later", "k", delayed(2, 300), body(seq, 100));
        }
        ch.basicPublish("later", "k", delayed(2, 600_000), body(6, 100)); // still scheduled at the restart
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        Connection c = connect();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (messageCount(c, "due") < 5 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Thread.sleep(1_500); // the fired mark is written after the routed messages' group commit
        stopGracefully();
        broker.restart();
        Connection after = connect();
        Thread.sleep(1_000);
        assertThat(messageCount(after, "due")).isEqualTo(5);
        Channel ach = after.createChannel();
        assertThat(ach.exchangeDeclarePassive("later")).isNotNull();
    }
}
