package dev.ferrymq.server.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * queue.purge drops only ready messages; deliveries a consumer holds unacknowledged stay owned by the queue (as in
 * RabbitMQ, and as Queue#purge does in memory). They must therefore survive a restart like any other unacked
 * delivery: docs/storage.md promises that kill -9 loses "nothing that was delivered and not yet acknowledged".
 */
class PurgeWithUnackedTest extends AbstractCrashTest {

    private static final String QUEUE = "crash.purge";
    private static final int BODY = 100;
    private static final int COUNT = 10;
    private static final int HELD = 3;

    @Test
    void unackedDeliveriesSurvivePurgeAndKill9() throws Exception {
        broker.start();
        Connection c = connect();
        holdAndPurge(c);

        kill9();
        broker.restart();

        Connection c2 = connect();
        assertThat(messageCount(c2, QUEUE)).as("messages after the restart: the %d deliveries that were never "
                + "acknowledged", HELD).isEqualTo(HELD);
        List<Received> recovered = drain(c2, QUEUE, HELD, BODY, true);
        assertThat(seqs(recovered)).isEqualTo(range(1, HELD));
        assertThat(recovered).allMatch(r -> r.intact() && r.redelivered());
    }

    @Test
    void messagesRequeuedAfterAPurgeSurviveAGracefulRestart() throws Exception {
        broker.start();
        Connection c = connect();
        Channel consumer = holdAndPurge(c);
        consumer.close(); // the held deliveries go back to the queue
        assertThat(messageCount(c, QUEUE)).as("requeued after the purge").isEqualTo(HELD);

        stopGracefully();
        broker.restart();

        Connection c2 = connect();
        assertThat(messageCount(c2, QUEUE)).as("messages after the restart: the %d requeued ones", HELD)
                .isEqualTo(HELD);
        assertThat(seqs(drain(c2, QUEUE, HELD, BODY, true))).isEqualTo(range(1, HELD));
    }

    /** Publishes COUNT persistent messages, holds the first HELD unacked on a consumer, purges the rest. */
    private Channel holdAndPurge(Connection c) throws Exception {
        Channel pub = c.createChannel();
        pub.queueDeclare(QUEUE, true, false, false, null);
        publishConfirmed(pub, "", QUEUE, 1, COUNT, BODY, PERSISTENT, COUNT);

        Channel consumer = c.createChannel();
        consumer.basicQos(HELD);
        BlockingQueue<Long> arrived = new LinkedBlockingQueue<>();
        consumer.basicConsume(QUEUE, false, new DefaultConsumer(consumer) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                arrived.add(seqOf(body));
            }
        });
        List<Long> held = new ArrayList<>();
        for (int i = 0; i < HELD; i++) {
            Long seq = arrived.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(seq).as("delivery %d", i + 1).isNotNull();
            held.add(seq);
        }
        assertThat(held).isEqualTo(range(1, HELD));

        AMQP.Queue.PurgeOk purged = pub.queuePurge(QUEUE);
        assertThat(purged.getMessageCount()).as("purged ready messages").isEqualTo(COUNT - HELD);
        assertThat(pub.queueDeclarePassive(QUEUE).getMessageCount()).isZero();
        return consumer;
    }
}
