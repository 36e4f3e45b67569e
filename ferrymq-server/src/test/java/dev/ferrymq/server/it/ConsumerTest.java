package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Command;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** basic.consume / cancel, consumer tags and exclusivity, server-initiated cancel, prefetch, ordering. */
class ConsumerTest extends AbstractBrokerIT {

    /** Records deliveries and consumer lifecycle callbacks. */
    static class Recorder extends DefaultConsumer {
        final BlockingQueue<Envelope> envelopes = new LinkedBlockingQueue<>();
        final BlockingQueue<String> bodies = new LinkedBlockingQueue<>();
        final CompletableFuture<String> consumeOk = new CompletableFuture<>();
        final CompletableFuture<String> cancelOk = new CompletableFuture<>();
        final CompletableFuture<String> serverCancel = new CompletableFuture<>();

        Recorder(Channel ch) {
            super(ch);
        }

        @Override
        public void handleConsumeOk(String consumerTag) {
            super.handleConsumeOk(consumerTag);
            consumeOk.complete(consumerTag);
        }

        @Override
        public void handleCancelOk(String consumerTag) {
            cancelOk.complete(consumerTag);
        }

        @Override
        public void handleCancel(String consumerTag) {
            serverCancel.complete(consumerTag);
        }

        @Override
        public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body) {
            envelopes.add(env);
            bodies.add(text(body));
        }

        String nextBody() throws InterruptedException {
            return bodies.poll(5, TimeUnit.SECONDS);
        }

        /** Waits until exactly n deliveries arrived and no further one arrives within 300 ms. */
        void assertReceivesExactly(int n) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (envelopes.size() < n && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(envelopes).as("deliveries within 5 s").hasSize(n);
            Thread.sleep(300);
            assertThat(envelopes).as("no further delivery").hasSize(n);
        }
    }

    @Test
    void consumeWithServerGeneratedTag() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        Recorder r = new Recorder(ch);
        String tag = ch.basicConsume(q, true, r);
        assertThat(tag).startsWith("amq.ctag-").hasSizeGreaterThan("amq.ctag-".length());
        assertThat(r.consumeOk.get(5, TimeUnit.SECONDS)).isEqualTo(tag);
        publish(ch, "", q, "hello");
        assertThat(r.nextBody()).isEqualTo("hello");
        Envelope env = r.envelopes.poll();
        assertThat(env.getExchange()).isEmpty();
        assertThat(env.getRoutingKey()).isEqualTo(q);
        assertThat(env.isRedeliver()).isFalse();
        assertThat(env.getDeliveryTag()).isEqualTo(1);
        String other = ch.basicConsume(q, true, new Recorder(ch));
        assertThat(other).startsWith("amq.ctag-").isNotEqualTo(tag);
    }

    @Test
    void consumeWithClientChosenTag() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        Recorder r = new Recorder(ch);
        String tag = ch.basicConsume(q, true, "my-tag", r);
        assertThat(tag).isEqualTo("my-tag");
        assertThat(r.consumeOk.get(5, TimeUnit.SECONDS)).isEqualTo("my-tag");
        publish(ch, "", q, "tagged");
        assertThat(r.nextBody()).isEqualTo("tagged");
        // the same tag may be used on another channel
        Channel ch2 = ch.getConnection().createChannel();
        assertThat(ch2.basicConsume(q, true, "my-tag", new Recorder(ch2))).isEqualTo("my-tag");
    }

    @Test
    void duplicateConsumerTagOnChannelIsNotAllowedConnectionError() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        ch.basicConsume(q, true, "dup", new Recorder(ch));
        Channel sibling = ch.getConnection().createChannel();
        // the Java client refuses a duplicate tag locally (IllegalStateException), so send basic.consume directly
        assertConnectionError(ch, NOT_ALLOWED,
                () -> ch.rpc(new AMQP.Basic.Consume.Builder().queue(q).consumerTag("dup").noAck(true).build()));
        // The client marks its other channels closed while it processes connection.close: wait for that, bounded.
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (sibling.isOpen() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(sibling.isOpen()).as("a connection error closes every channel").isFalse();
    }

    @Test
    void consumeOnMissingQueueIsNotFound() throws Exception {
        Channel ch = openChannel();
        assertChannelError(ch, NOT_FOUND, () -> ch.basicConsume(unique("missing"), true, new Recorder(ch)));
    }

    @Test
    void exclusiveConsumeOnQueueWithConsumerIsAccessRefused() throws Exception {
        Connection c = connect();
        Channel first = c.createChannel();
        String q = declareQueue(first);
        first.basicConsume(q, true, new Recorder(first));
        Channel second = c.createChannel();
        assertChannelError(second, ACCESS_REFUSED,
                () -> second.basicConsume(q, true, "", false, true, null, new Recorder(second)));
    }

    @Test
    void consumeOnQueueWithExclusiveConsumerIsAccessRefused() throws Exception {
        Connection c = connect();
        Channel first = c.createChannel();
        String q = declareQueue(first);
        first.basicConsume(q, true, "", false, true, null, new Recorder(first));
        Channel second = c.createChannel();
        assertChannelError(second, ACCESS_REFUSED, () -> second.basicConsume(q, true, new Recorder(second)));
    }

    @Test
    void cancelStopsDeliveries() throws Exception {
        Connection c = connect();
        Channel ch = c.createChannel();
        String q = declareQueue(ch);
        Recorder r = new Recorder(ch);
        String tag = ch.basicConsume(q, true, r);
        publish(ch, "", q, "before");
        assertThat(r.nextBody()).isEqualTo("before");
        ch.basicCancel(tag);
        assertThat(r.cancelOk.get(5, TimeUnit.SECONDS)).isEqualTo(tag);
        publishConfirmed(ch, "", q, "after");
        assertThat(r.bodies.poll(300, TimeUnit.MILLISECONDS)).isNull();
        assertThat(messageCount(c, q)).isEqualTo(1);
        assertThat(ch.queueDeclarePassive(q).getConsumerCount()).isZero();
    }

    @Test
    void cancelOfUnknownTagIsAcknowledged() throws Exception {
        Channel ch = openChannel();
        // the Java client refuses unknown tags locally, so send the method directly
        Command reply = ch.rpc(new AMQP.Basic.Cancel.Builder().consumerTag("never-consumed").build());
        assertThat(reply.getMethod()).isInstanceOf(AMQP.Basic.CancelOk.class);
        assertThat(((AMQP.Basic.CancelOk) reply.getMethod()).getConsumerTag()).isEqualTo("never-consumed");
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void deletingQueueCancelsItsConsumers() throws Exception {
        Connection c = connect();
        Channel ch = c.createChannel();
        String q = declareQueue(ch);
        Recorder r = new Recorder(ch);
        String tag = ch.basicConsume(q, true, r);
        Channel deleter = c.createChannel();
        deleter.queueDelete(q);
        assertThat(r.serverCancel.get(5, TimeUnit.SECONDS)).isEqualTo(tag);
        assertThat(r.cancelOk).isNotDone();
        assertThat(ch.isOpen()).as("a server-initiated cancel leaves the channel open").isTrue();
        assertThat(ch.queueDeclare().getQueue()).startsWith("amq.gen-");
    }

    @Test
    void prefetchLimitsUnackedDeliveries() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        publishConfirmed(ch, "", q, "1", "2", "3", "4", "5", "6", "7", "8", "9", "10");
        ch.basicQos(5);
        Recorder r = new Recorder(ch);
        ch.basicConsume(q, false, r);
        r.assertReceivesExactly(5);

        List<Envelope> firstFive = new ArrayList<>(r.envelopes);
        ch.basicAck(firstFive.get(0).getDeliveryTag(), false);
        r.assertReceivesExactly(6);
        ch.basicAck(firstFive.get(4).getDeliveryTag(), true); // acks the remaining four of the first five
        r.assertReceivesExactly(10);
        assertThat(new ArrayList<>(r.bodies)).containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "10");
    }

    @Test
    void prefetchAppliesPerConsumer() throws Exception {
        Channel ch = openChannel();
        String q1 = declareQueue(ch);
        String q2 = declareQueue(ch);
        publishConfirmed(ch, "", q1, "a", "b", "c", "d");
        publishConfirmed(ch, "", q2, "a", "b", "c", "d");
        ch.basicQos(2); // global=false: per consumer
        Recorder r1 = new Recorder(ch);
        Recorder r2 = new Recorder(ch);
        ch.basicConsume(q1, false, r1);
        ch.basicConsume(q2, false, r2);
        r1.assertReceivesExactly(2);
        r2.assertReceivesExactly(2);
    }

    @Test
    void globalPrefetchIsSharedByTheChannelsConsumers() throws Exception {
        Channel ch = openChannel();
        String q1 = declareQueue(ch);
        String q2 = declareQueue(ch);
        publishConfirmed(ch, "", q1, "a", "b", "c", "d", "e");
        publishConfirmed(ch, "", q2, "a", "b", "c", "d", "e");
        ch.basicQos(3, true); // global=true: one limit for the whole channel
        Recorder r1 = new Recorder(ch);
        Recorder r2 = new Recorder(ch);
        ch.basicConsume(q1, false, r1);
        ch.basicConsume(q2, false, r2);

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (r1.envelopes.size() + r2.envelopes.size() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(300);
        assertThat(r1.envelopes.size() + r2.envelopes.size()).as("unacked deliveries on the channel").isEqualTo(3);
        ch.basicAck(0, true); // ack everything delivered so far
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (r1.envelopes.size() + r2.envelopes.size() < 6 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(300);
        assertThat(r1.envelopes.size() + r2.envelopes.size()).isEqualTo(6);
    }

    @Test
    void autoAckConsumerIsNotLimitedByPrefetch() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        ch.basicQos(1);
        Recorder r = new Recorder(ch);
        ch.basicConsume(q, true, r);
        for (int i = 0; i < 20; i++) {
            publish(ch, "", q, "m" + i);
        }
        r.assertReceivesExactly(20);
    }

    @Test
    void tenThousandMessagesArriveInOrder() throws Exception {
        int count = 10_000;
        Channel consumerCh = openChannel();
        String q = declareQueue(consumerCh);
        CountDownLatch all = new CountDownLatch(count);
        AtomicInteger expected = new AtomicInteger();
        AtomicInteger outOfOrder = new AtomicInteger(-1);
        consumerCh.basicQos(500);
        consumerCh.basicConsume(q, false, new DefaultConsumer(consumerCh) {
            @Override
            public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body)
                    throws java.io.IOException {
                int n = Integer.parseInt(text(body));
                if (n != expected.getAndIncrement() && outOfOrder.get() < 0) {
                    outOfOrder.set(n);
                }
                if (n % 100 == 99) {
                    getChannel().basicAck(env.getDeliveryTag(), true);
                }
                all.countDown();
            }
        });
        Channel publisher = openChannel(); // another connection
        for (int i = 0; i < count; i++) {
            publish(publisher, "", q, Integer.toString(i));
        }
        assertThat(all.await(20, TimeUnit.SECONDS)).as("%d of %d received", count - all.getCount(), count).isTrue();
        assertThat(outOfOrder.get()).as("first out-of-order message").isEqualTo(-1);
        assertThat(expected.get()).isEqualTo(count);
    }
}
