package com.example.orders;

import dev.ferrymq.embedded.FerryMQBroker;
import dev.ferrymq.embedded.MessageTap;
import dev.ferrymq.embedded.ReceivedMessage;
import dev.ferrymq.junit.FerryMQTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service against an embedded FerryMQ: @FerryMQTest starts it for the class and points spring.rabbitmq.* at it.
 * Against a real RabbitMQ instead, unchanged:
 * {@code mvn verify -Dferrymq.test.broker-uri=amqp://guest:guest@127.0.0.1:5672}.
 */
@SpringBootTest
@FerryMQTest
class OrderListenerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Autowired
    RabbitTemplate rabbit;
    @Autowired
    AmqpAdmin admin;
    @Autowired
    OrderListener listener;

    @BeforeEach
    void emptyTheDeadLetterQueue() {
        admin.purgeQueue(OrderTopology.DEAD_LETTER_QUEUE, false); // a real broker keeps it between runs
    }

    @Test
    void aValidOrderIsAnnouncedAsAccepted(FerryMQBroker broker) {
        String id = "order-" + UUID.randomUUID();
        try (MessageTap accepted = broker.publishedTo(OrderTopology.EXCHANGE, OrderTopology.ACCEPTED)) {
            rabbit.convertAndSend(OrderTopology.EXCHANGE, OrderTopology.CREATED, id + ",3");

            assertThat(accepted.await(1, WAIT)).extracting(ReceivedMessage::bodyAsString).containsExactly(id);
        }
        assertThat(listener.attempts(id)).isEqualTo(1);
    }

    @Test
    void anInvalidOrderIsTriedThreeTimesThenDeadLettered(FerryMQBroker broker) {
        String id = "order-" + UUID.randomUUID();
        rabbit.convertAndSend(OrderTopology.EXCHANGE, OrderTopology.CREATED, id + ",0");

        List<ReceivedMessage> dead = broker.awaitMessages(OrderTopology.DEAD_LETTER_QUEUE, 1, WAIT);

        assertThat(dead.get(0).bodyAsString()).isEqualTo(id + ",0");
        assertThat(listener.attempts(id)).isEqualTo(3);
        @SuppressWarnings("unchecked")
        Map<String, Object> death = ((List<Map<String, Object>>) dead.get(0).header("x-death")).get(0);
        assertThat(death.get("reason")).hasToString("rejected");
        assertThat(death.get("queue")).hasToString(OrderTopology.CREATED);
        assertThat(death.get("count")).isEqualTo(1L);
        assertThat(broker.queue(OrderTopology.CREATED).messageCount()).isZero();
    }

    @Test
    void theListenerConsumesTheOrderQueue(FerryMQBroker broker) {
        assertThat(broker.queue(OrderTopology.CREATED).consumerCount()).isEqualTo(1);
    }
}
