package dev.ferrymq.server.it;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.AMQP;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Publisher back-pressure: a publisher much faster than the consumers of its queue is slowed down (the broker
 * stops reading its socket for a while) instead of letting the queue grow without bound.
 */
class FlowControlTest extends AbstractBrokerIT {

    @Test
    void aFastPublisherIsHeldBackToASlowConsumer() throws Exception {
        Channel setup = openChannel();
        String queue = declareQueue(setup);

        Connection consumerConnection = connect();
        Channel consumerChannel = consumerConnection.createChannel();
        consumerChannel.basicQos(50);
        AtomicInteger consumed = new AtomicInteger();
        consumerChannel.basicConsume(queue, false, new DefaultConsumer(consumerChannel) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                    throws IOException {
                consumed.incrementAndGet();
                if (consumed.get() % 10 == 0) {
                    try {
                        Thread.sleep(5); // about 2,000 messages a second at most
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                getChannel().basicAck(envelope.getDeliveryTag(), false);
            }
        });

        Connection publisherConnection = connect();
        Channel publisher = publisherConnection.createChannel();
        byte[] body = new byte[100];
        long deadline = System.nanoTime() + 3_000_000_000L;
        int published = 0;
        long deepest = 0;
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 500; i++) {
                publisher.basicPublish("", queue, null, body);
            }
            published += 500;
            if (published % 5_000 == 0) {
                deepest = Math.max(deepest, setup.queueDeclarePassive(queue).getMessageCount());
            }
        }
        deepest = Math.max(deepest, setup.queueDeclarePassive(queue).getMessageCount());

        assertThat(consumed.get()).as("the consumer made progress").isGreaterThan(500);
        // Without back-pressure the client writes hundreds of thousands of messages in 3 s and the queue holds
        // nearly all of them; with it the backlog stays within about one socket read batch (~10,000 of these
        // messages) of the 2,000-message congestion mark.
        assertThat(deepest).as("deepest backlog seen, after %d publishes", published).isLessThan(25_000);
    }
}
