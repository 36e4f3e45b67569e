package dev.ferrymq.server.it.features;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DeliverCallback;
import dev.ferrymq.server.it.AbstractBrokerIT;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Priority queues, single active consumer, consumer priorities, exclusive consumers and queue expiry. */
class PriorityAndConsumerTest extends AbstractBrokerIT {

    private static AMQP.BasicProperties priority(int p) {
        return new AMQP.BasicProperties.Builder().priority(p).build();
    }

    @Test
    void higherPriorityMessagesAreDeliveredFirst() throws Exception {
        Channel ch = openChannel();
        String q = queueToDelete(unique("prio"));
        ch.queueDeclare(q, false, false, false, Map.of("x-max-priority", 10));
        ch.confirmSelect();
        ch.basicPublish("", q, null, bytes("none"));
        ch.basicPublish("", q, priority(1), bytes("low"));
        ch.basicPublish("", q, priority(9), bytes("high"));
        ch.basicPublish("", q, priority(200), bytes("capped")); // above max: treated as 10
        ch.basicPublish("", q, priority(9), bytes("high2"));
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        assertThat(List.of(getText(ch, q), getText(ch, q), getText(ch, q), getText(ch, q), getText(ch, q)))
                .containsExactly("capped", "high", "high2", "low", "none");
    }

    @Test
    void maxPriorityAbove255IsRefused() throws Exception {
        Channel ch = openChannel();
        assertChannelError(ch, PRECONDITION_FAILED, () -> ch.queueDeclare(unique("prio"), false, false, false,
                Map.of("x-max-priority", 256)));
    }

    @Test
    void singleActiveConsumerGetsEverythingUntilItLeaves() throws Exception {
        Channel ch = openChannel();
        String q = queueToDelete(unique("sac"));
        ch.queueDeclare(q, false, false, false, Map.of("x-single-active-consumer", true));
        List<String> first = new CopyOnWriteArrayList<>();
        List<String> second = new CopyOnWriteArrayList<>();
        String firstTag = ch.basicConsume(q, true, collect(first), tag -> { });
        Channel other = openChannel();
        other.basicConsume(q, true, collect(second), tag -> { });
        publishConfirmed(openChannel(), "", q, "1", "2", "3");
        eventually("the active consumer got all", () -> first.size() == 3);
        assertThat(second).isEmpty();
        ch.basicCancel(firstTag);
        publishConfirmed(openChannel(), "", q, "4");
        eventually("the next consumer took over", () -> second.size() == 1);
    }

    @Test
    void higherPriorityConsumerIsServedFirst() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        List<String> low = new CopyOnWriteArrayList<>();
        List<String> high = new CopyOnWriteArrayList<>();
        ch.basicConsume(q, true, Map.of("x-priority", 1), collect(low), tag -> { });
        Channel other = openChannel();
        other.basicConsume(q, true, Map.of("x-priority", 10), collect(high), tag -> { });
        publishConfirmed(openChannel(), "", q, "a", "b", "c", "d");
        eventually("all delivered", () -> high.size() + low.size() == 4);
        assertThat(high).hasSize(4);
        assertThat(low).isEmpty();
    }

    @Test
    void unusedQueueExpires() throws Exception {
        Channel ch = openChannel();
        String q = queueToDelete(unique("expires"));
        ch.queueDeclare(q, false, false, false, Map.of("x-expires", 300));
        // Not polled: a passive declare counts as use and would renew the lease (RabbitMQ's rule).
        Thread.sleep(1_500);
        assertThat(queueExists(ch.getConnection(), q)).isFalse();
    }

    @Test
    void queueWithAConsumerDoesNotExpire() throws Exception {
        Channel ch = openChannel();
        String q = queueToDelete(unique("expires"));
        ch.queueDeclare(q, false, false, false, Map.of("x-expires", 200));
        ch.basicConsume(q, true, (tag, d) -> { }, tag -> { });
        Thread.sleep(600);
        assertThat(queueExists(ch.getConnection(), q)).isTrue();
    }

    @Test
    void unsupportedRabbitMqArgumentsAreRefusedNotIgnored() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(broker.isExternal(), "FerryMQ's own rule: RabbitMQ has them");
        for (Map<String, Object> args : List.<Map<String, Object>>of(Map.of("x-queue-type", "quorum"),
                Map.of("x-delivery-limit", 5), Map.of("x-max-age", "1D"))) {
            Channel ch = openChannel();
            var sse = assertChannelError(ch, PRECONDITION_FAILED,
                    () -> ch.queueDeclare(unique("unsupported"), true, false, false, args));
            assertThat(replyText(sse)).contains(args.keySet().iterator().next());
        }
        Channel ch = openChannel();
        String q = queueToDelete(unique("classic"));
        ch.queueDeclare(q, true, false, false, Map.of("x-queue-type", "classic", "x-custom", "ignored"));
    }

    private static DeliverCallback collect(List<String> into) {
        return (tag, delivery) -> into.add(text(delivery.getBody()));
    }
}
