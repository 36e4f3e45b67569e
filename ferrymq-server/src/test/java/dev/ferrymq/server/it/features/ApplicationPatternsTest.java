package dev.ferrymq.server.it.features;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import dev.ferrymq.server.it.AbstractBrokerIT;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.rabbit.config.RetryInterceptorBuilder;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.amqp.rabbit.retry.RejectAndDontRequeueRecoverer;

/** How real applications use queue arguments: Spring AMQP retry with a dead-letter queue, and Celery's queues. */
class ApplicationPatternsTest extends AbstractBrokerIT {

    private CachingConnectionFactory connectionFactory;

    @BeforeEach
    void createConnectionFactory() {
        connectionFactory = new CachingConnectionFactory(broker.connectionFactory());
    }

    @AfterEach
    void destroyConnectionFactory() {
        connectionFactory.destroy();
    }

    @Test
    void springRetryThenDeadLetterQueue() throws Exception {
        RabbitAdmin admin = new RabbitAdmin(connectionFactory);
        String dlq = queueToDelete(unique("orders.dlq"));
        String work = queueToDelete(unique("orders"));
        admin.declareQueue(new Queue(dlq, false, false, false));
        admin.declareQueue(QueueBuilder.nonDurable(work).deadLetterExchange("").deadLetterRoutingKey(dlq).build());

        AtomicInteger attempts = new AtomicInteger();
        SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(connectionFactory);
        container.setQueueNames(work);
        container.setAdviceChain(RetryInterceptorBuilder.stateless().maxAttempts(3).backOffOptions(10, 2.0, 40)
                .recoverer(new RejectAndDontRequeueRecoverer()).build());
        container.setMessageListener((Message message) -> {
            attempts.incrementAndGet();
            throw new IllegalStateException("poison message");
        });
        container.start();
        try {
            new RabbitTemplate(connectionFactory).convertAndSend("", work, "bad order");
            RabbitTemplate template = new RabbitTemplate(connectionFactory);
            Message dead = template.receive(dlq, 10_000);
            assertThat(dead).as("the message reached the DLQ").isNotNull();
            assertThat(new String(dead.getBody())).isEqualTo("bad order");
            assertThat(attempts).hasValue(3);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> xDeath = (List<Map<String, Object>>) dead.getMessageProperties().getHeaders()
                    .get("x-death");
            assertThat(xDeath.get(0).get("reason").toString()).isEqualTo("rejected");
            assertThat(xDeath.get(0).get("queue").toString()).isEqualTo(work);
        } finally {
            container.stop();
        }
    }

    @Test
    void celeryStyleQueueArguments() throws Exception {
        Channel ch = openChannel();
        // Celery declares task queues with x-max-priority, and its event/reply queues with x-expires and
        // x-message-ttl (kombu passes them as queue_arguments); redeclaring with equal arguments must succeed.
        String tasks = queueToDelete(unique("celery"));
        Map<String, Object> taskArgs = Map.of("x-max-priority", 10);
        ch.queueDeclare(tasks, true, false, false, taskArgs);
        ch.queueDeclare(tasks, true, false, false, taskArgs);
        String events = queueToDelete(unique("celeryev"));
        ch.queueDeclare(events, false, false, true, Map.of("x-expires", 60_000, "x-message-ttl", 5_000));

        ch.confirmSelect();
        ch.basicPublish("", tasks, new AMQP.BasicProperties.Builder().priority(0).deliveryMode(2).build(),
                bytes("routine"));
        ch.basicPublish("", tasks, new AMQP.BasicProperties.Builder().priority(9).deliveryMode(2).build(),
                bytes("urgent"));
        ch.basicPublish("", events, null, bytes("worker-heartbeat"));
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        assertThat(getText(ch, tasks)).isEqualTo("urgent");
        assertThat(getText(ch, tasks)).isEqualTo("routine");
        GetResponse event = ch.basicGet(events, true);
        assertThat(text(event.getBody())).isEqualTo("worker-heartbeat");
    }
}
