package dev.ferrymq.broker.publish;

import static dev.ferrymq.broker.Messages.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferrymq.broker.Broker;
import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.broker.DecodedProperties;
import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.PropertiesCodec;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.broker.queue.Queue;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The one publishing path: properties decoded once, counting, expiry, and dead letters from a work list. */
class PublisherTest {
    /**
     * A codec whose "encoding" is one byte, the priority; it counts every call. Headers come with the decoded
     * properties (h=v) so the headers exchange has something to match.
     */
    private static final class CountingCodec implements PropertiesCodec {
        final AtomicInteger decodes = new AtomicInteger();
        final AtomicInteger singleFieldReads = new AtomicInteger();
        volatile String expiration;

        @Override
        public DecodedProperties decode(byte[] properties) {
            decodes.incrementAndGet();
            return new DecodedProperties(properties.length == 0 ? 0 : properties[0], expiration, false,
                    Map.of("h", "v"), null, null);
        }

        @Override
        public int priority(byte[] properties) {
            singleFieldReads.incrementAndGet();
            return properties.length == 0 ? 0 : properties[0];
        }

        @Override
        public Map<String, Object> headers(byte[] properties) {
            singleFieldReads.incrementAndGet();
            return Map.of();
        }

        @Override
        public String expiration(byte[] properties) {
            singleFieldReads.incrementAndGet();
            return null;
        }

        @Override
        public byte[] withHeaders(byte[] properties, Map<String, Object> headers, boolean dropExpiration) {
            return properties;
        }
    }

    private final Broker broker = Broker.withDefaults();
    private final CountingCodec codec = new CountingCodec();
    private final VirtualHost vhost;

    PublisherTest() {
        broker.usePropertiesCodec(codec);
        vhost = broker.virtualHost("/");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private Queue queue(String name, Map<String, Object> args) {
        return vhost.declareQueue(name, false, false, false, false, args, null).queue();
    }

    @Test
    void propertiesAreDecodedOncePerPublishAndThePriorityQueueDoesNotDecodeThem() {
        Queue prioritised = queue("prioritised", Map.of("x-max-priority", 9));
        Queue matched = queue("matched", Map.of());
        vhost.bindQueue("prioritised", "amq.headers", "", Map.of("x-match", "all", "h", "v"), null);
        vhost.bindQueue("matched", "amq.headers", "", Map.of("x-match", "all", "h", "v"), null);

        vhost.publisher().publish("amq.headers", "", new byte[] {1}, bytes("low"));
        vhost.publisher().publish("amq.headers", "", new byte[] {7}, bytes("high"));

        assertThat(codec.decodes).as("one decode per publish").hasValue(2);
        assertThat(codec.singleFieldReads).as("no queue or router decodes again").hasValue(0);
        assertThat(matched.messageCount()).as("routed by the decoded headers").isEqualTo(2);
        assertThat(body(prioritised.get(true))).as("priority from the decoded properties").isEqualTo("high");
    }

    @Test
    void everyPublishCountsAsPublishedAndUnroutableOnesAsUnroutable() {
        queue("q", Map.of());
        vhost.publisher().publish("", "q", new byte[0], bytes("a"));
        vhost.publisher().publish("", "nowhere", new byte[0], bytes("b"));
        assertThat(broker.counters().published.sum()).isEqualTo(2);
        assertThat(broker.counters().unroutable.sum()).isEqualTo(1);
        assertThat(vhost.queue("q", null).counters().published.sum()).isEqualTo(1);
    }

    @Test
    void aPreparedPublishIsCountedOnlyWhenPublished() {
        queue("q", Map.of());
        PublishRequest request = vhost.publisher().prepare("", "q", new byte[0], DecodedProperties.NONE,
                bytes("tx"));
        assertThat(broker.counters().published.sum()).as("held, as a transaction holds it").isZero();
        vhost.publisher().publish(request, null);
        assertThat(broker.counters().published.sum()).isEqualTo(1);
    }

    @Test
    void theExpirationPropertySetsWhenTheMessageExpires() {
        long before = System.currentTimeMillis();
        Message message = vhost.publisher().prepare("", "q", new byte[0],
                new DecodedProperties(0, "5000", true, null, null, null), bytes("x")).message();
        assertThat(message.expiresAt()).isBetween(before + 5000, System.currentTimeMillis() + 5000);
        assertThat(message.persistent()).isTrue();
        assertThat(vhost.publisher().prepare("", "q", new byte[0], DecodedProperties.NONE, bytes("x")).message()
                .expiresAt()).isEqualTo(Message.NEVER);
    }

    @Test
    void anExpirationThatIsNotANonNegativeIntegerIs406() {
        for (String invalid : new String[] {"-1", "soon", "1.5"}) {
            assertThatThrownBy(() -> vhost.publisher().prepare("", "q", new byte[0],
                    new DecodedProperties(0, invalid, false, null, null, null), bytes("x")))
                    .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.replyCode()).isEqualTo(406))
                    .hasMessageContaining("invalid expiration '" + invalid + "'");
        }
    }

    @Test
    void deadLettersADeliveryCausesAreRoutedByTheSameCall() {
        queue("full", Map.of("x-max-length", 1, "x-dead-letter-exchange", "",
                "x-dead-letter-routing-key", "dead"));
        Queue dead = queue("dead", Map.of());
        vhost.publisher().publish("", "full", new byte[0], bytes("first"));
        vhost.publisher().publish("", "full", new byte[0], bytes("second"));
        assertThat(dead.messageCount()).as("the dropped head, routed before publish returned").isEqualTo(1);
        assertThat(body(dead.get(true))).isEqualTo("first");
    }

    @Test
    void missingOrInternalExchangeIsRefused() {
        vhost.declareExchange("internal", "fanout", false, false, false, true, Map.of());
        assertThatThrownBy(() -> vhost.publisher().publish("missing", "", new byte[0], bytes("x")))
                .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.replyCode()).isEqualTo(404));
        assertThatThrownBy(() -> vhost.publisher().publish("internal", "", new byte[0], bytes("x")))
                .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.replyCode()).isEqualTo(403));
    }
}
