package dev.ferrymq.server.it.features;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import dev.ferrymq.server.it.AbstractBrokerIT;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** x-message-ttl and the expiration property: expired messages go promptly, dead-lettered when configured. */
class MessageTtlTest extends AbstractBrokerIT {

    @Test
    void queueTtlExpiresMessagesWithoutAnyConsumer() throws Exception {
        Channel ch = openChannel();
        String q = queueToDelete(unique("ttl"));
        ch.queueDeclare(q, false, false, false, Map.of("x-message-ttl", 200));
        publishConfirmed(ch, "", q, "a", "b", "c");
        assertThat(messageCount(ch.getConnection(), q)).isEqualTo(3);
        eventually("messages expire", () -> messageCount(ch.getConnection(), q) == 0);
    }

    @Test
    void shorterOfQueueAndMessageTtlApplies() throws Exception {
        Channel ch = openChannel();
        String q = queueToDelete(unique("ttl"));
        ch.queueDeclare(q, false, false, false, Map.of("x-message-ttl", 60_000));
        ch.confirmSelect();
        ch.basicPublish("", q, new AMQP.BasicProperties.Builder().expiration("100").build(), bytes("short"));
        ch.basicPublish("", q, null, bytes("long"));
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        Thread.sleep(300);
        assertThat(getText(ch, q)).isEqualTo("long");
    }

    @Test
    void expiredMessagesAreDeadLetteredWithReasonExpired() throws Exception {
        Channel ch = openChannel();
        String dlq = declareQueue(ch);
        String q = queueToDelete(unique("ttl"));
        ch.queueDeclare(q, false, false, false, Map.of("x-message-ttl", 100, "x-dead-letter-exchange", "",
                "x-dead-letter-routing-key", dlq));
        ch.confirmSelect();
        ch.basicPublish("", q, new AMQP.BasicProperties.Builder().expiration("50").build(), bytes("late"));
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        eventually("the message is dead-lettered", () -> messageCount(ch.getConnection(), dlq) == 1);
        GetResponse dead = ch.basicGet(dlq, true);
        assertThat(text(dead.getBody())).isEqualTo("late");
        assertThat(dead.getProps().getExpiration()).as("expiration is removed").isNull();
        Map<String, Object> headers = dead.getProps().getHeaders();
        assertThat(headers.get("x-first-death-reason").toString()).isEqualTo("expired");
        @SuppressWarnings("unchecked")
        Map<String, Object> death = (Map<String, Object>) ((List<?>) headers.get("x-death")).get(0);
        assertThat(death.get("reason").toString()).isEqualTo("expired");
        assertThat(death.get("queue").toString()).isEqualTo(q);
        assertThat(death.get("original-expiration").toString()).isEqualTo("50");
        assertThat(death.get("count")).isEqualTo(1L);
    }

    @Test
    void invalidTtlIsRefused() throws Exception {
        Channel ch = openChannel();
        String q = unique("ttl");
        assertChannelError(ch, PRECONDITION_FAILED,
                () -> ch.queueDeclare(q, false, false, false, Map.of("x-message-ttl", -1)));
    }
}
