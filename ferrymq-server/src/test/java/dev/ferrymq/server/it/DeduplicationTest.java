package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * rabbitmq-message-deduplication's client contract: the {@code x-message-deduplication} exchange (a bounded cache
 * of {@code x-deduplication-header} values, with {@code x-cache-size}, {@code x-cache-ttl}) and queues declared
 * with {@code x-message-deduplication: true}.
 */
class DeduplicationTest extends AbstractBrokerIT {

    private static AMQP.BasicProperties id(Object identity) {
        return new AMQP.BasicProperties.Builder().headers(Map.of("x-deduplication-header", identity)).build();
    }

    private String dedupExchange(Channel ch, Map<String, Object> args) throws Exception {
        String x = exchangeToDelete(unique("x.dedup"));
        ch.exchangeDeclare(x, "x-message-deduplication", false, false, args);
        return x;
    }

    private List<String> drain(Channel ch, String q) throws Exception {
        List<String> bodies = new ArrayList<>();
        for (String body = getText(ch, q); body != null; body = getText(ch, q)) {
            bodies.add(body);
        }
        return bodies;
    }

    @Test
    void theExchangeDropsADuplicateButConfirmsIt() throws Exception {
        Channel ch = openChannel();
        String x = dedupExchange(ch, Map.of("x-cache-size", 100));
        String q1 = declareQueue(ch);
        String q2 = declareQueue(ch);
        ch.queueBind(q1, x, "");
        ch.queueBind(q2, x, "any-key"); // routes like fanout
        ch.confirmSelect();
        ch.basicPublish(x, "k", id("order-1"), bytes("first"));
        ch.basicPublish(x, "k", id("order-1"), bytes("duplicate"));
        ch.basicPublish(x, "k", id("order-2"), bytes("second"));
        ch.basicPublish(x, "k", null, bytes("no identity"));
        ch.basicPublish(x, "k", null, bytes("no identity"));
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        assertThat(drain(ch, q1)).containsExactly("first", "second", "no identity", "no identity");
        assertThat(drain(ch, q2)).containsExactly("first", "second", "no identity", "no identity");
    }

    @Test
    void aMandatoryDuplicateIsReturnedAsUnroutable() throws Exception {
        Channel ch = openChannel();
        String x = dedupExchange(ch, Map.of("x-cache-size", 10));
        ch.queueBind(declareQueue(ch), x, "");
        AtomicInteger returned = new AtomicInteger();
        ch.addReturnListener(r -> returned.incrementAndGet());
        ch.confirmSelect();
        ch.basicPublish(x, "", true, id(42), bytes("a"));
        ch.basicPublish(x, "", true, id(42), bytes("a again"));
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        eventually("the duplicate is returned", () -> returned.get() == 1);
    }

    @Test
    void anIdentityIsForgottenAfterTheCacheTtlOrTheMessagesOwnTtl() throws Exception {
        Channel ch = openChannel();
        String x = dedupExchange(ch, Map.of("x-cache-size", 100, "x-cache-ttl", 300));
        String q = declareQueue(ch);
        ch.queueBind(q, x, "");
        Map<String, Object> longLived = new HashMap<>();
        longLived.put("x-deduplication-header", "long");
        longLived.put("x-cache-ttl", 60_000);
        AMQP.BasicProperties longTtl = new AMQP.BasicProperties.Builder().headers(longLived).build();
        publishWithConfirm(ch, x, id("short"), "short-1");
        publishWithConfirm(ch, x, longTtl, "long-1");
        publishWithConfirm(ch, x, id("short"), "short-dup");
        Thread.sleep(600);
        publishWithConfirm(ch, x, id("short"), "short-2");
        publishWithConfirm(ch, x, id("long"), "long-dup");
        assertThat(drain(ch, q)).containsExactly("short-1", "long-1", "short-2");
    }

    @Test
    void aFullCacheForgetsItsOldestIdentity() throws Exception {
        Channel ch = openChannel();
        String x = dedupExchange(ch, Map.of("x-cache-size", 2));
        String q = declareQueue(ch);
        ch.queueBind(q, x, "");
        for (String identity : List.of("a", "b", "c", "a", "c")) {
            publishWithConfirm(ch, x, id(identity), identity);
        }
        assertThat(drain(ch, q)).containsExactly("a", "b", "c", "a");
    }

    @Test
    void theCacheSizeIsRequiredAndArgumentsAreChecked() throws Exception {
        Channel ch = openChannel();
        var missing = assertChannelError(ch, PRECONDITION_FAILED, () -> ch.exchangeDeclare(unique("x.bad"),
                "x-message-deduplication", false, false, Map.of()));
        assertThat(replyText(missing)).isEqualTo("PRECONDITION_FAILED - Missing or invalid argument, "
                + "'x-cache-size' must be an integer greater than 0");
        Channel ttl = openChannel();
        var badTtl = assertChannelError(ttl, PRECONDITION_FAILED, () -> ttl.exchangeDeclare(unique("x.bad"),
                "x-message-deduplication", false, false, Map.of("x-cache-size", 5, "x-cache-ttl", -1)));
        assertThat(replyText(badTtl)).isEqualTo(
                "PRECONDITION_FAILED - Invalid argument, 'x-cache-ttl' must be an integer greater than 0");
        Channel persistence = openChannel();
        var badPersistence = assertChannelError(persistence, PRECONDITION_FAILED, () -> persistence
                .exchangeDeclare(unique("x.bad"), "x-message-deduplication", false, false,
                        Map.of("x-cache-size", "5", "x-cache-persistence", "tape")));
        assertThat(replyText(badPersistence)).isEqualTo("PRECONDITION_FAILED - Invalid argument, "
                + "'x-cache-persistence' must be either 'disk' or 'memory'");
    }

    @Test
    void aDeduplicatingQueueDropsAMessageWhoseIdentityIsStillInIt() throws Exception {
        Channel ch = openChannel();
        String q = queueToDelete(unique("q.dedup"));
        ch.queueDeclare(q, false, false, false, Map.of("x-message-deduplication", true));
        publishWithConfirm(ch, "", q, id("a"), "a-1");
        publishWithConfirm(ch, "", q, id("a"), "a-dup");
        publishWithConfirm(ch, "", q, id("b"), "b-1");
        assertThat(messageCount(connect(), q)).isEqualTo(2);
        var delivered = ch.basicGet(q, false);
        assertThat(text(delivered.getBody())).isEqualTo("a-1");
        publishWithConfirm(ch, "", q, id("a"), "a-while-unacked");
        ch.basicAck(delivered.getEnvelope().getDeliveryTag(), false);
        publishWithConfirm(ch, "", q, id("a"), "a-2");
        assertThat(drain(ch, q)).containsExactly("b-1", "a-2");
    }

    @Test
    void aPlainQueueKeepsDuplicates() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        publishWithConfirm(ch, "", q, id("a"), "a-1");
        publishWithConfirm(ch, "", q, id("a"), "a-2");
        assertThat(messageCount(connect(), q)).isEqualTo(2);
    }

    private static void publishWithConfirm(Channel ch, String x, AMQP.BasicProperties props, String body)
            throws Exception {
        publishWithConfirm(ch, x, "", props, body);
    }

    private static void publishWithConfirm(Channel ch, String x, String key, AMQP.BasicProperties props,
                                           String body) throws Exception {
        if (ch.getNextPublishSeqNo() == 0) {
            ch.confirmSelect();
        }
        ch.basicPublish(x, key, props, bytes(body));
        ch.waitForConfirmsOrDie(WAIT.toMillis());
    }
}
