package dev.ferrymq.server.it;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backlog delivered in few drains: whatever their sizes (empty, small, bigger than a frame so split over body
 * frames), messages arrive whole, with their own properties, in order, tagged 1, 2, 3...
 */
class BacklogDeliveryTest extends AbstractBrokerIT {
    private static final int[] SIZES = {0, 1, 1_000, 32 * 1024 - 40, 5, 200_000, 16_000, 70_000, 3};

    private static byte[] body(int i) {
        byte[] b = new byte[SIZES[i % SIZES.length]];
        Arrays.fill(b, (byte) i);
        return b;
    }

    @Test
    void backlogOfMixedSizesIsDeliveredWholeAndInOrder() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        int count = 270;
        ch.confirmSelect();
        for (int i = 0; i < count; i++) { // a backlog first, so the consumer's first drains carry many at once
            ch.basicPublish("", q, new AMQP.BasicProperties.Builder().messageId("m" + i).build(), body(i));
        }
        ch.waitForConfirmsOrDie(10_000);
        List<Object[]> received = new CopyOnWriteArrayList<>();
        CountDownLatch all = new CountDownLatch(count);
        Channel consumer = openChannel();
        consumer.basicConsume(q, true, new DefaultConsumer(consumer) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
                received.add(new Object[] {envelope.getDeliveryTag(), props.getMessageId(), body});
                all.countDown();
            }
        });
        assertThat(all.await(20, TimeUnit.SECONDS)).as("all %d delivered", count).isTrue();
        for (int i = 0; i < count; i++) {
            Object[] r = received.get(i);
            assertThat(r[0]).as("delivery tag of %d", i).isEqualTo((long) i + 1);
            assertThat(r[1]).isEqualTo("m" + i);
            assertThat((byte[]) r[2]).as("body of %d", i).isEqualTo(body(i));
        }
    }
}
