package dev.ferrymq.server.it.features;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import dev.ferrymq.server.it.AbstractBrokerIT;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Dead-lettering on reject/nack without requeue, with RabbitMQ's x-death headers and cycle handling. */
class DeadLetterTest extends AbstractBrokerIT {

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> deaths(GetResponse r) {
        return (List<Map<String, Object>>) r.getProps().getHeaders().get("x-death");
    }

    @Test
    void rejectedMessageGoesToTheDeadLetterExchangeWithXDeath() throws Exception {
        Channel ch = openChannel();
        String dlx = declareExchange(ch, "fanout");
        String dlq = declareQueue(ch);
        ch.queueBind(dlq, dlx, "");
        String work = queueToDelete(unique("work"));
        ch.queueDeclare(work, false, false, false, Map.of("x-dead-letter-exchange", dlx));
        String source = declareExchange(ch, "direct");
        ch.queueBind(work, source, "job");
        publishConfirmed(ch, source, "job", "payload");

        GetResponse got = ch.basicGet(work, false);
        ch.basicReject(got.getEnvelope().getDeliveryTag(), false);
        eventually("dead-lettered", () -> messageCount(ch.getConnection(), dlq) == 1);

        GetResponse dead = ch.basicGet(dlq, true);
        assertThat(text(dead.getBody())).isEqualTo("payload");
        assertThat(dead.getEnvelope().getExchange()).isEqualTo(dlx);
        assertThat(dead.getEnvelope().getRoutingKey()).as("the original routing key is kept").isEqualTo("job");
        Map<String, Object> death = deaths(dead).get(0);
        assertThat(death.get("reason").toString()).isEqualTo("rejected");
        assertThat(death.get("queue").toString()).isEqualTo(work);
        assertThat(death.get("exchange").toString()).isEqualTo(source);
        assertThat(((List<?>) death.get("routing-keys")).get(0).toString()).isEqualTo("job");
        assertThat(death.get("count")).isEqualTo(1L);
        assertThat(death.get("time")).isInstanceOf(java.util.Date.class);
        Map<String, Object> headers = dead.getProps().getHeaders();
        assertThat(headers.get("x-first-death-queue").toString()).isEqualTo(work);
        assertThat(headers.get("x-first-death-exchange").toString()).isEqualTo(source);
        assertThat(headers.get("x-first-death-reason").toString()).isEqualTo("rejected");
    }

    @Test
    void nackWithoutRequeueDeadLettersWithTheConfiguredRoutingKey() throws Exception {
        Channel ch = openChannel();
        String dlq = declareQueue(ch);
        String work = queueToDelete(unique("work"));
        ch.queueDeclare(work, false, false, false, Map.of("x-dead-letter-exchange", "",
                "x-dead-letter-routing-key", dlq));
        publishConfirmed(ch, "", work, "one", "two");
        GetResponse first = ch.basicGet(work, false);
        ch.basicGet(work, false);
        ch.basicNack(first.getEnvelope().getDeliveryTag() + 1, true, false);
        eventually("both dead-lettered", () -> messageCount(ch.getConnection(), dlq) == 2);
        assertThat(getText(ch, dlq)).isEqualTo("one");
        assertThat(getText(ch, dlq)).isEqualTo("two");
    }

    @Test
    void requeueDoesNotDeadLetter() throws Exception {
        Channel ch = openChannel();
        String dlq = declareQueue(ch);
        String work = queueToDelete(unique("work"));
        ch.queueDeclare(work, false, false, false, Map.of("x-dead-letter-exchange", "",
                "x-dead-letter-routing-key", dlq));
        publishConfirmed(ch, "", work, "again");
        GetResponse got = ch.basicGet(work, false);
        ch.basicReject(got.getEnvelope().getDeliveryTag(), true);
        assertThat(getText(ch, work)).isEqualTo("again");
        assertThat(messageCount(ch.getConnection(), dlq)).isZero();
    }

    @Test
    void repeatedDeathInTheSameQueueCountsUp() throws Exception {
        Channel ch = openChannel();
        String a = queueToDelete(unique("a"));
        String b = queueToDelete(unique("b"));
        ch.queueDeclare(a, false, false, false, Map.of("x-dead-letter-exchange", "", "x-dead-letter-routing-key", b));
        ch.queueDeclare(b, false, false, false, Map.of("x-dead-letter-exchange", "", "x-dead-letter-routing-key", a));
        publishConfirmed(ch, "", a, "ping-pong");
        for (String queue : List.of(a, b, a)) { // rejected in a, b, then a again: a consumer is in the loop
            eventually("arrives in " + queue, () -> messageCount(ch.getConnection(), queue) == 1);
            GetResponse got = ch.basicGet(queue, false);
            ch.basicReject(got.getEnvelope().getDeliveryTag(), false);
        }
        eventually("arrives in b", () -> messageCount(ch.getConnection(), b) == 1);
        GetResponse got = ch.basicGet(b, true);
        List<Map<String, Object>> deaths = deaths(got);
        assertThat(deaths).hasSize(2);
        assertThat(deaths.get(0).get("queue").toString()).as("most recent first").isEqualTo(a);
        assertThat(deaths.get(0).get("count")).isEqualTo(2L);
        assertThat(deaths.get(1).get("count")).isEqualTo(1L);
    }

    @Test
    void repeatedDeathKeepsTheFirstDeathsExchangeAndRoutingKeys() throws Exception {
        Channel ch = openChannel();
        String x = declareExchange(ch, "direct");
        String a = queueToDelete(unique("a"));
        String b = queueToDelete(unique("b"));
        ch.queueDeclare(a, false, false, false, Map.of("x-dead-letter-exchange", "", "x-dead-letter-routing-key", b));
        ch.queueDeclare(b, false, false, false, Map.of("x-dead-letter-exchange", "", "x-dead-letter-routing-key", a));
        ch.queueBind(a, x, "k");
        publishConfirmed(ch, x, "k", "ping-pong");
        for (String queue : List.of(a, b, a)) {
            eventually("arrives in " + queue, () -> messageCount(ch.getConnection(), queue) == 1);
            ch.basicReject(ch.basicGet(queue, false).getEnvelope().getDeliveryTag(), false);
        }
        eventually("arrives in b", () -> messageCount(ch.getConnection(), b) == 1);
        Map<String, Object> deathInA = deaths(ch.basicGet(b, true)).get(0);
        assertThat(deathInA.get("count")).isEqualTo(2L);
        assertThat(deathInA.get("exchange").toString()).as("RabbitMQ only counts up a repeated death").isEqualTo(x);
        assertThat(deathInA.get("routing-keys").toString()).isEqualTo("[k]");
    }

    @Test
    void automaticCycleIsDropped() throws Exception {
        Channel ch = openChannel();
        String q = queueToDelete(unique("loop"));
        // Expired messages dead-letter back into the same queue: with no consumer in the loop RabbitMQ drops them.
        ch.queueDeclare(q, false, false, false, Map.of("x-message-ttl", 50, "x-dead-letter-exchange", "",
                "x-dead-letter-routing-key", q));
        publishConfirmed(ch, "", q, "round");
        eventually("the message is gone", () -> messageCount(ch.getConnection(), q) == 0);
        Thread.sleep(200);
        assertThat(messageCount(ch.getConnection(), q)).isZero();
    }

    @Test
    void missingDeadLetterExchangeDropsTheMessage() throws Exception {
        Channel ch = openChannel();
        String work = queueToDelete(unique("work"));
        ch.queueDeclare(work, false, false, false, Map.of("x-dead-letter-exchange", unique("nowhere")));
        publishConfirmed(ch, "", work, "lost");
        GetResponse got = ch.basicGet(work, false);
        ch.basicReject(got.getEnvelope().getDeliveryTag(), false);
        assertThat(messageCount(ch.getConnection(), work)).isZero();
        assertThat(ch.isOpen()).isTrue();
    }
}
