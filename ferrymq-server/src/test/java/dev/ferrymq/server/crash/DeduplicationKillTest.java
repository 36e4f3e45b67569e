package dev.ferrymq.server.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A durable deduplication exchange's cache is journalled on the store's group commit: after kill -9 the identities
 * of confirmed publishes are still known, and a durable deduplicating queue still knows the identities of the
 * messages it holds.
 */
class DeduplicationKillTest extends AbstractCrashTest {

    private static AMQP.BasicProperties id(String identity) {
        return new AMQP.BasicProperties.Builder().deliveryMode(2)
                .headers(Map.of("x-deduplication-header", identity)).build();
    }

    @Test
    void theCacheOfADurableExchangeAndTheIdentitiesInADurableQueueSurviveKill9() throws Exception {
        broker.start();
        Channel ch = connect().createChannel();
        ch.exchangeDeclare("once", "x-message-deduplication", true, false, Map.of("x-cache-size", 1000));
        ch.queueDeclare("orders", true, false, false, null);
        ch.queueBind("orders", "once", "");
        ch.queueDeclare("unique", true, false, false, Map.of("x-message-deduplication", true));
        ch.confirmSelect();
        for (long seq = 1; seq <= 5; seq++) {
            ch.basicPublish("once", "", id("order-" + seq), body(seq, 100));
            ch.basicPublish("", "unique", id("order-" + seq), body(seq, 100));
        }
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        kill9();
        broker.restart();

        Channel after = connect().createChannel();
        after.confirmSelect();
        for (long seq = 1; seq <= 6; seq++) {
            after.basicPublish("once", "", id("order-" + seq), body(seq + 100, 100));
            after.basicPublish("", "unique", id("order-" + seq), body(seq + 100, 100));
        }
        after.waitForConfirmsOrDie(WAIT.toMillis());
        assertThat(messageCount(connect(), "orders")).as("only order-6 is new").isEqualTo(6);
        assertThat(messageCount(connect(), "unique")).isEqualTo(6);
    }
}
