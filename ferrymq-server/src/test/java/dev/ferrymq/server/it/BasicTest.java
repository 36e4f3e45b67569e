package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.LongString;
import com.rabbitmq.client.Return;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** basic.publish / get / ack / nack / reject / recover, content properties and bodies. */
class BasicTest extends AbstractBrokerIT {

    // ------------------------------------------------------------------ properties and bodies

    @Test
    void everyContentPropertyRoundTripsUnchanged() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        AMQP.BasicProperties sent = fullProperties();
        byte[] body = bytes("with every property");

        ch.basicPublish("", q, sent, body);
        GetResponse got = ch.basicGet(q, true);
        assertThat(got).isNotNull();
        assertThat(got.getBody()).isEqualTo(body);
        assertPropertiesEqual(got.getProps(), sent);

        // and the same through basic.deliver
        CompletableFuture<AMQP.BasicProperties> delivered = new CompletableFuture<>();
        ch.basicConsume(q, true, new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] b) {
                delivered.complete(props);
            }
        });
        ch.basicPublish("", q, sent, body);
        assertPropertiesEqual(delivered.get(5, TimeUnit.SECONDS), sent);
    }

    @Test
    void messageWithoutPropertiesHasNoneSet() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        ch.basicPublish("", q, null, bytes("bare"));
        AMQP.BasicProperties p = ch.basicGet(q, true).getProps();
        assertThat(p.getContentType()).isNull();
        assertThat(p.getHeaders()).isNull();
        assertThat(p.getDeliveryMode()).isNull();
        assertThat(p.getMessageId()).isNull();
        assertThat(p.getTimestamp()).isNull();
        assertThat(p.getUserId()).isNull();
    }

    @Test
    void userIdOtherThanTheConnectionUserIsPreconditionFailed() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().userId("somebody-else").build();
        assertChannelError(ch, PRECONDITION_FAILED, () -> ch.basicPublish("", q, props, bytes("forged")));
    }

    @Test
    void expiredMessageIsNotDelivered() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        ch.basicPublish("", q, new AMQP.BasicProperties.Builder().expiration("1").build(), bytes("short-lived"));
        ch.basicPublish("", q, new AMQP.BasicProperties.Builder().expiration("60000").build(), bytes("long-lived"));
        Thread.sleep(100);
        assertThat(getText(ch, q)).isEqualTo("long-lived");
        assertThat(ch.basicGet(q, true)).isNull();
    }

    @Test
    void invalidExpirationIsPreconditionFailed() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().expiration("soon").build();
        assertChannelError(ch, PRECONDITION_FAILED, () -> ch.basicPublish("", q, props, bytes("bad ttl")));
    }

    @Test
    void fiveMegabyteBodyRoundTripsByteExact() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        byte[] body = new byte[5 * 1024 * 1024];
        new Random(42).nextBytes(body);
        ch.basicPublish("", q, null, body);
        GetResponse got = ch.basicGet(q, true);
        assertThat(got).isNotNull();
        assertThat(got.getBody()).hasSize(body.length).isEqualTo(body);
    }

    @Test
    void bodyOfExactlyOneFrameAndOneByteMore() throws Exception {
        Connection c = connect();
        Channel ch = c.createChannel();
        String q = declareQueue(ch);
        int maxBodyPerFrame = c.getFrameMax() - 8; // 7 bytes frame header + frame end
        for (int size : new int[] {maxBodyPerFrame - 1, maxBodyPerFrame, maxBodyPerFrame + 1, 2 * maxBodyPerFrame}) {
            byte[] body = new byte[size];
            new Random(size).nextBytes(body);
            ch.basicPublish("", q, null, body);
            GetResponse got = ch.basicGet(q, true);
            assertThat(got.getBody()).as("body of %d bytes", size).isEqualTo(body);
        }
    }

    @Test
    void emptyBodyRoundTrips() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        ch.basicPublish("", q, new AMQP.BasicProperties.Builder().contentType("text/plain").build(), new byte[0]);
        GetResponse got = ch.basicGet(q, true);
        assertThat(got).isNotNull();
        assertThat(got.getBody()).isEmpty();
        assertThat(got.getProps().getContentType()).isEqualTo("text/plain");
    }

    // ------------------------------------------------------------------ basic.get

    @Test
    void getOnEmptyQueueReturnsNull() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        assertThat(ch.basicGet(q, true)).isNull();
        assertThat(ch.basicGet(q, false)).isNull();
    }

    @Test
    void getReportsEnvelopeAndRemainingCount() throws Exception {
        Channel ch = openChannel();
        String x = declareExchange(ch, "direct");
        String q = declareQueue(ch);
        ch.queueBind(q, x, "rk");
        publishConfirmed(ch, x, "rk", "a", "b", "c");
        GetResponse first = ch.basicGet(q, false);
        assertThat(text(first.getBody())).isEqualTo("a");
        assertThat(first.getMessageCount()).isEqualTo(2);
        assertThat(first.getEnvelope().getExchange()).isEqualTo(x);
        assertThat(first.getEnvelope().getRoutingKey()).isEqualTo("rk");
        assertThat(first.getEnvelope().isRedeliver()).isFalse();
        assertThat(first.getEnvelope().getDeliveryTag()).isEqualTo(1);
        GetResponse second = ch.basicGet(q, false);
        assertThat(second.getEnvelope().getDeliveryTag()).isEqualTo(2);
        assertThat(second.getMessageCount()).isEqualTo(1);
    }

    @Test
    void getFromMissingQueueIsNotFound() throws Exception {
        Channel ch = openChannel();
        assertChannelError(ch, NOT_FOUND, () -> ch.basicGet(unique("missing"), true));
    }

    // ------------------------------------------------------------------ mandatory / unroutable

    @Test
    void mandatoryUnroutableMessageIsReturnedWithNoRoute() throws Exception {
        Channel ch = openChannel();
        String x = declareExchange(ch, "direct");
        String q = declareQueue(ch);
        ch.queueBind(q, x, "routable");
        BlockingQueue<Return> returns = new LinkedBlockingQueue<>();
        ch.addReturnListener(returns::add);
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().messageId("m-1").build();

        ch.basicPublish(x, "routable", true, null, bytes("routed"));
        ch.basicPublish(x, "nowhere", true, props, bytes("unroutable"));
        ch.basicPublish(x, "nowhere-either", false, null, bytes("dropped silently"));

        Return r = returns.poll(5, TimeUnit.SECONDS);
        assertThat(r).as("basic.return").isNotNull();
        assertThat(r.getReplyCode()).isEqualTo(NO_ROUTE);
        assertThat(r.getReplyText()).isEqualTo("NO_ROUTE");
        assertThat(r.getExchange()).isEqualTo(x);
        assertThat(r.getRoutingKey()).isEqualTo("nowhere");
        assertThat(r.getProperties().getMessageId()).isEqualTo("m-1");
        assertThat(text(r.getBody())).isEqualTo("unroutable");
        assertThat(getText(ch, q)).isEqualTo("routed");
        assertThat(returns.poll(300, TimeUnit.MILLISECONDS)).as("only one return").isNull();
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void publishToMissingExchangeIsNotFound() throws Exception {
        Channel ch = openChannel();
        assertChannelError(ch, NOT_FOUND, () -> publish(ch, unique("missing"), "k", "lost"));
    }

    // ------------------------------------------------------------------ acknowledgements

    @Test
    void ackSingleAndMultiple() throws Exception {
        Connection c = connect();
        Channel ch = c.createChannel();
        String q = declareQueue(ch);
        publishConfirmed(ch, "", q, "1", "2", "3", "4", "5", "6");
        List<Long> tags = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            tags.add(ch.basicGet(q, false).getEnvelope().getDeliveryTag());
        }
        assertThat(tags).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        ch.basicAck(2, false);      // acks 2 only
        ch.basicAck(4, true);       // acks 1, 3, 4
        ch.basicAck(6, false);      // acks 6; 5 stays unacked
        ch.close();                 // unacked 5 goes back to the queue
        Channel ch2 = c.createChannel();
        eventually("the unacked message is requeued", () -> messageCount(c, q) == 1);
        GetResponse back = ch2.basicGet(q, true);
        assertThat(text(back.getBody())).isEqualTo("5");
        assertThat(back.getEnvelope().isRedeliver()).isTrue();
    }

    @Test
    void nackMultipleWithRequeueRestoresOriginalOrderAsRedelivered() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        for (int i = 1; i <= 10; i++) {
            publish(ch, "", q, String.valueOf(i));
        }
        long last = 0;
        for (int i = 1; i <= 10; i++) {
            GetResponse r = ch.basicGet(q, false);
            assertThat(text(r.getBody())).isEqualTo(String.valueOf(i));
            last = r.getEnvelope().getDeliveryTag();
        }
        ch.basicNack(last, true, true);

        BlockingQueue<Envelope> envelopes = new LinkedBlockingQueue<>();
        BlockingQueue<String> bodies = new LinkedBlockingQueue<>();
        ch.basicConsume(q, true, new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body) {
                envelopes.add(env);
                bodies.add(text(body));
            }
        });
        for (int i = 1; i <= 10; i++) {
            String body = bodies.poll(5, TimeUnit.SECONDS);
            assertThat(body).as("delivery %d", i).isEqualTo(String.valueOf(i));
            assertThat(envelopes.poll().isRedeliver()).as("redelivered flag of %s", body).isTrue();
        }
        assertThat(bodies.poll(200, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void rejectWithRequeueRedeliversTheMessage() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        publish(ch, "", q, "again");
        GetResponse first = ch.basicGet(q, false);
        assertThat(first.getEnvelope().isRedeliver()).isFalse();
        ch.basicReject(first.getEnvelope().getDeliveryTag(), true);
        GetResponse second = ch.basicGet(q, true);
        assertThat(second).isNotNull();
        assertThat(text(second.getBody())).isEqualTo("again");
        assertThat(second.getEnvelope().isRedeliver()).isTrue();
    }

    @Test
    void rejectAndNackWithoutRequeueDropTheMessage() throws Exception {
        Connection c = connect();
        Channel ch = c.createChannel();
        String q = declareQueue(ch);
        publish(ch, "", q, "rejected");
        publish(ch, "", q, "nacked");
        ch.basicReject(ch.basicGet(q, false).getEnvelope().getDeliveryTag(), false);
        ch.basicNack(ch.basicGet(q, false).getEnvelope().getDeliveryTag(), false, false);
        ch.close(); // nothing is unacked any more, so nothing may come back
        assertThat(messageCount(c, q)).isZero();
        assertThat(c.createChannel().basicGet(q, true)).isNull();
    }

    @Test
    void ackOfUnknownDeliveryTagIsPreconditionFailed() throws Exception {
        Channel ch = openChannel();
        assertChannelError(ch, PRECONDITION_FAILED, () -> ch.basicAck(99, false));
    }

    @Test
    void doubleAckIsPreconditionFailed() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        publish(ch, "", q, "once");
        long tag = ch.basicGet(q, false).getEnvelope().getDeliveryTag();
        ch.basicAck(tag, false);
        assertChannelError(ch, PRECONDITION_FAILED, () -> ch.basicAck(tag, false));
    }

    @Test
    void ackOfAutoAckedDeliveryIsPreconditionFailed() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        publish(ch, "", q, "auto-acked");
        long tag = ch.basicGet(q, true).getEnvelope().getDeliveryTag();
        assertChannelError(ch, PRECONDITION_FAILED, () -> ch.basicAck(tag, false));
    }

    @Test
    void recoverRequeuesUnackedMessages() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        publish(ch, "", q, "r1");
        publish(ch, "", q, "r2");
        assertThat(text(ch.basicGet(q, false).getBody())).isEqualTo("r1");
        assertThat(text(ch.basicGet(q, false).getBody())).isEqualTo("r2");
        assertThat(ch.basicGet(q, false)).isNull();
        ch.basicRecover(true);
        GetResponse again1 = ch.basicGet(q, false);
        GetResponse again2 = ch.basicGet(q, false);
        assertThat(text(again1.getBody())).isEqualTo("r1");
        assertThat(text(again2.getBody())).isEqualTo("r2");
        assertThat(again1.getEnvelope().isRedeliver()).isTrue();
        assertThat(again2.getEnvelope().isRedeliver()).isTrue();
        // the old delivery tags are gone; the new ones are acked normally
        ch.basicAck(again2.getEnvelope().getDeliveryTag(), true);
        assertThat(ch.basicGet(q, true)).isNull();
    }

    @Test
    void closingChannelRequeuesUnackedMessagesInOrder() throws Exception {
        Connection c = connect();
        Channel ch = c.createChannel();
        String q = declareQueue(ch);
        publishConfirmed(ch, "", q, "a", "b", "c");
        ch.basicGet(q, false);
        ch.basicGet(q, false);
        ch.close();
        Channel ch2 = c.createChannel();
        eventually("unacked messages requeued", () -> messageCount(c, q) == 3);
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            GetResponse r = ch2.basicGet(q, true);
            order.add(text(r.getBody()) + (r.getEnvelope().isRedeliver() ? "*" : ""));
        }
        assertThat(order).containsExactly("a*", "b*", "c");
    }

    // ------------------------------------------------------------------ helpers

    private static AMQP.BasicProperties fullProperties() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("inner-string", "inner");
        nested.put("inner-int", 7);
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("string", "a string");
        headers.put("int", 123_456);
        headers.put("long", 1L << 40);
        headers.put("bool-true", true);
        headers.put("bool-false", false);
        headers.put("double", 3.5d);
        headers.put("float", 1.25f);
        headers.put("decimal", new BigDecimal("123.45"));
        headers.put("date", new Date(1_700_000_000_000L)); // whole seconds: AMQP timestamps have 1 s resolution
        headers.put("bytes", new byte[] {0, 1, 2, (byte) 0xFF});
        headers.put("map", nested);
        headers.put("list", List.of("one", 2, true));
        headers.put("null", null);
        headers.put("byte", (byte) -5);
        headers.put("short", (short) 300);
        return new AMQP.BasicProperties.Builder()
                .contentType("application/json")
                .contentEncoding("gzip")
                .headers(headers)
                .deliveryMode(2)
                .priority(5)
                .correlationId("corr-42")
                .replyTo("reply-queue")
                .expiration("60000")
                .messageId("msg-1")
                .timestamp(new Date(1_700_000_123_000L))
                .type("order.created")
                .userId(BrokerUnderTest.USER)
                .appId("ferrymq-it")
                .build();
    }

    private static void assertPropertiesEqual(AMQP.BasicProperties got, AMQP.BasicProperties sent) {
        assertThat(got.getContentType()).isEqualTo(sent.getContentType());
        assertThat(got.getContentEncoding()).isEqualTo(sent.getContentEncoding());
        assertThat(got.getDeliveryMode()).isEqualTo(sent.getDeliveryMode());
        assertThat(got.getPriority()).isEqualTo(sent.getPriority());
        assertThat(got.getCorrelationId()).isEqualTo(sent.getCorrelationId());
        assertThat(got.getReplyTo()).isEqualTo(sent.getReplyTo());
        assertThat(got.getExpiration()).isEqualTo(sent.getExpiration());
        assertThat(got.getMessageId()).isEqualTo(sent.getMessageId());
        assertThat(got.getTimestamp()).isEqualTo(sent.getTimestamp());
        assertThat(got.getType()).isEqualTo(sent.getType());
        assertThat(got.getUserId()).isEqualTo(sent.getUserId());
        assertThat(got.getAppId()).isEqualTo(sent.getAppId());

        Map<String, Object> h = got.getHeaders();
        assertThat(h).isNotNull();
        assertThat(h.keySet()).containsExactlyInAnyOrderElementsOf(sent.getHeaders().keySet());
        // strings come back as LongString (table type 'S')
        assertThat(h.get("string")).isInstanceOf(LongString.class).hasToString("a string");
        assertThat(h.get("int")).isEqualTo(123_456);
        assertThat(h.get("long")).isEqualTo(1L << 40);
        assertThat(h.get("bool-true")).isEqualTo(true);
        assertThat(h.get("bool-false")).isEqualTo(false);
        assertThat(h.get("double")).isEqualTo(3.5d);
        assertThat(h.get("float")).isEqualTo(1.25f);
        assertThat(h.get("decimal")).isEqualTo(new BigDecimal("123.45"));
        assertThat(h.get("date")).isEqualTo(new Date(1_700_000_000_000L));
        assertThat(h.get("bytes")).isEqualTo(new byte[] {0, 1, 2, (byte) 0xFF});
        assertThat(h.get("null")).isNull();
        assertThat(h).containsKey("null");
        assertThat(h.get("byte")).isEqualTo((byte) -5);
        assertThat(h.get("short")).isEqualTo((short) 300);
        assertThat(h.get("map")).isInstanceOf(Map.class);
        Map<?, ?> nested = (Map<?, ?>) h.get("map");
        assertThat(nested.get("inner-string")).hasToString("inner");
        assertThat(nested.get("inner-int")).isEqualTo(7);
        assertThat(nested).hasSize(2);
        assertThat(h.get("list")).isInstanceOf(List.class);
        List<?> list = (List<?>) h.get("list");
        assertThat(list).hasSize(3);
        assertThat(list.get(0)).hasToString("one");
        assertThat(list.get(1)).isEqualTo(2);
        assertThat(list.get(2)).isEqualTo(true);
        Map<String, Object> copy = new HashMap<>(h);
        assertThat(copy).hasSize(15);
    }
}
