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
 * kill -9 while a consumer holds deliveries: acknowledgements the broker processed are never undone (acked
 * messages do not reappear) and every delivered-but-unacked message comes back, marked redelivered, in order.
 */
class KillDuringConsumeTest extends AbstractCrashTest {

    private static final String QUEUE = "crash.consume";
    private static final int N = 3_000;
    private static final int PREFETCH = 1_500;
    private static final int ACKED = 1_000;
    private static final int BODY = 100;

    @Test
    void ackedMessagesStayGoneAndUnackedComeBackRedeliveredInOrder() throws Exception {
        broker.start();
        Connection c = connect();
        Channel pub = c.createChannel();
        pub.queueDeclare(QUEUE, true, false, false, null);
        publishConfirmed(pub, "", QUEUE, 1, N, BODY, PERSISTENT, 500);

        Channel ch = c.createChannel();
        ch.basicQos(PREFETCH);
        BlockingQueue<Received> arrived = new LinkedBlockingQueue<>();
        ch.basicConsume(QUEUE, false, new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                arrived.add(new Received(seqOf(body), envelope.isRedeliver(), intact(body, BODY),
                        envelope.getDeliveryTag()));
            }
        });
        List<Received> delivered = new ArrayList<>();
        while (delivered.size() < PREFETCH) {
            Received r = arrived.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(r).as("delivery %d of %d", delivered.size() + 1, PREFETCH).isNotNull();
            delivered.add(r);
        }
        assertThat(seqs(delivered)).isEqualTo(range(1, PREFETCH));
        assertThat(delivered).allMatch(r -> r.intact() && !r.redelivered());

        // Ack 1..500 one by one and 501..1000 with one multiple ack.
        for (int i = 0; i < ACKED / 2; i++) {
            ch.basicAck(delivered.get(i).deliveryTag(), false);
        }
        ch.basicAck(delivered.get(ACKED - 1).deliveryTag(), true);
        // The broker handles a channel's methods in order: once this answer is back, every ack was processed.
        ch.queueDeclarePassive(QUEUE);

        kill9();
        broker.restart();

        Connection c2 = connect();
        assertThat(messageCount(c2, QUEUE)).as("messages after the restart").isEqualTo(N - ACKED);
        List<Received> recovered = drain(c2, QUEUE, N - ACKED, BODY, true);
        assertThat(seqs(recovered)).as("the unacked messages, in their original order, and no acked one")
                .isEqualTo(range(ACKED + 1, N));
        assertThat(recovered).as("bodies intact").allMatch(Received::intact);
        assertThat(recovered.subList(0, PREFETCH - ACKED))
                .as("delivered-but-unacked messages are redelivered=true")
                .allMatch(Received::redelivered);
        // docs/storage.md: the index does not record deliveries, so every recovered message is marked redelivered.
        assertThat(recovered).as("every recovered message is marked redelivered (docs/storage.md, start-up 3)")
                .allMatch(Received::redelivered);
    }

    /**
     * Every other way a message leaves a queue for good is as durable as an ack: basic.get with no-ack, reject and
     * nack without requeue. A nack with requeue keeps the message.
     */
    @Test
    void getNoAckRejectAndNackWithoutRequeueStayGoneAfterKill9() throws Exception {
        String queue = "crash.settle";
        broker.start();
        Connection c = connect();
        Channel ch = c.createChannel();
        ch.queueDeclare(queue, true, false, false, null);
        publishConfirmed(ch, "", queue, 1, 30, BODY, PERSISTENT, 30);

        assertThat(seqOf(ch.basicGet(queue, true).getBody())).isEqualTo(1);
        assertThat(seqOf(ch.basicGet(queue, true).getBody())).isEqualTo(2);
        var third = ch.basicGet(queue, false);
        assertThat(seqOf(third.getBody())).isEqualTo(3);
        ch.basicReject(third.getEnvelope().getDeliveryTag(), false);

        ch.basicQos(10);
        BlockingQueue<Received> arrived = new LinkedBlockingQueue<>();
        ch.basicConsume(queue, false, new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                arrived.add(new Received(seqOf(body), envelope.isRedeliver(), intact(body, BODY),
                        envelope.getDeliveryTag()));
            }
        });
        List<Received> delivered = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Received r = arrived.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(r).as("delivery %d", i + 1).isNotNull();
            delivered.add(r);
        }
        assertThat(seqs(delivered)).isEqualTo(range(4, 13));
        ch.basicAck(delivered.get(0).deliveryTag(), false);             // 4
        ch.basicReject(delivered.get(1).deliveryTag(), false);          // 5
        ch.basicNack(delivered.get(4).deliveryTag(), true, false);      // 6, 7, 8
        ch.basicNack(delivered.get(5).deliveryTag(), false, true);      // 9 goes back
        ch.queueDeclarePassive(queue);                                  // all of the above processed

        kill9();
        broker.restart();

        Connection c2 = connect();
        List<Received> recovered = drain(c2, queue, 30 - 8, BODY, true);
        assertThat(seqs(recovered)).as("what was neither got with no-ack, acked, rejected nor nacked without "
                + "requeue, in order").isEqualTo(range(9, 30));
        assertThat(recovered).allMatch(Received::intact);
    }
}
