package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.amqp.rabbit.listener.adapter.MessageListenerAdapter;

/** Spring AMQP on top of the Java client: RabbitTemplate, RabbitAdmin, listener container, RPC. */
class SpringAmqpTest extends AbstractBrokerIT {

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
    void templateSendsAndReceives() {
        RabbitAdmin admin = new RabbitAdmin(connectionFactory);
        String q = admin.declareQueue(new Queue(queueToDelete(unique("spring.q")), false, false, false));
        RabbitTemplate template = new RabbitTemplate(connectionFactory);
        template.convertAndSend("", q, "hello spring");
        assertThat(template.receiveAndConvert(q, 5_000)).isEqualTo("hello spring");
        assertThat(template.receiveAndConvert(q, 100)).isNull();
    }

    @Test
    void adminDeclaresQueueExchangeAndBinding() {
        RabbitAdmin admin = new RabbitAdmin(connectionFactory);
        Queue queue = new Queue(queueToDelete(unique("spring.q")), false, false, false);
        TopicExchange exchange = new TopicExchange(exchangeToDelete(unique("spring.x")), false, false);
        Binding binding = BindingBuilder.bind(queue).to(exchange).with("orders.*");
        admin.declareQueue(queue);
        admin.declareExchange(exchange);
        admin.declareBinding(binding);

        Properties props = admin.getQueueProperties(queue.getName());
        assertThat(props).isNotNull();
        assertThat(props.get(RabbitAdmin.QUEUE_NAME)).isEqualTo(queue.getName());
        assertThat(props.get(RabbitAdmin.QUEUE_MESSAGE_COUNT)).isEqualTo(0);

        RabbitTemplate template = new RabbitTemplate(connectionFactory);
        template.convertAndSend(exchange.getName(), "orders.created", "routed");
        template.convertAndSend(exchange.getName(), "invoices.created", "not routed");
        assertThat(template.receiveAndConvert(queue.getName(), 5_000)).isEqualTo("routed");
        assertThat(template.receiveAndConvert(queue.getName(), 200)).isNull();

        admin.removeBinding(binding);
        template.convertAndSend(exchange.getName(), "orders.created", "after unbind");
        assertThat(template.receiveAndConvert(queue.getName(), 200)).isNull();
        assertThat(admin.deleteExchange(exchange.getName())).isTrue();
        assertThat(admin.deleteQueue(queue.getName())).isTrue();
        assertThat(admin.getQueueProperties(queue.getName())).isNull();
    }

    @Test
    void convertSendAndReceiveUsesDirectReplyTo() throws Exception {
        RabbitAdmin admin = new RabbitAdmin(connectionFactory);
        String q = admin.declareQueue(new Queue(queueToDelete(unique("spring.rpc")), false, false, false));

        CompletableFuture<String> replyTo = new CompletableFuture<>();
        SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(connectionFactory);
        container.setQueueNames(q);
        container.setAfterReceivePostProcessors(m -> {
            replyTo.complete(m.getMessageProperties().getReplyTo());
            return m;
        });
        container.setMessageListener(new MessageListenerAdapter(new Object() {
            @SuppressWarnings("unused")
            public String handleMessage(String request) {
                return request.toUpperCase();
            }
        }));
        container.setShutdownTimeout(2_000);
        container.start();
        RabbitTemplate template = new RabbitTemplate(connectionFactory);
        template.setReplyTimeout(5_000);
        try {
            Object reply = template.convertSendAndReceive("", q, "ping");
            assertThat(reply).isEqualTo("PING");
            assertThat(replyTo.get(5, TimeUnit.SECONDS)).startsWith("amq.rabbitmq.reply-to.");
            assertThat(template.convertSendAndReceive("", q, "again")).isEqualTo("AGAIN");
        } finally {
            template.stop();
            container.stop();
        }
    }
}
