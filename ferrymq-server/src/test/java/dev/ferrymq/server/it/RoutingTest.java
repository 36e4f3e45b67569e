package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Routing semantics of the direct, fanout, topic and headers exchange types. */
class RoutingTest extends AbstractBrokerIT {

    @ParameterizedTest(name = "pattern \"{0}\" key \"{1}\" -> {2}")
    @CsvSource(delimiter = '|', emptyValue = "", value = {
        "*.orange.*      | quick.orange.rabbit      | true",
        "*.orange.*      | orange                   | false",
        "*.orange.*      | quick.orange.male.rabbit | false",
        "*.orange.*      | .orange.                 | true",
        "*.*.rabbit      | lazy.orange.rabbit       | true",
        "*.*.rabbit      | lazy.rabbit              | false",
        "lazy.#          | lazy                     | true",
        "lazy.#          | lazy.orange.new.rabbit   | true",
        "lazy.#          | lazyx.orange             | false",
        "lazy.#          | orange.lazy              | false",
        "#               | ''                       | true",
        "#               | any.thing.at.all         | true",
        "#.end           | end                      | true",
        "#.end           | a.b.end                  | true",
        "#.end           | a.b.ending               | false",
        "a.#.z           | a.z                      | true",
        "a.#.z           | a.b.c.z                  | true",
        "a.#.z           | a.b.c                    | false",
        "a.*.#           | a                        | false",
        "a.*.#           | a.b                      | true",
        "a.*.#           | a.b.c.d                  | true",
        "*               | one                      | true",
        "*               | one.two                  | false",
        "*               | ''                       | false",
        "#.*             | ''                       | false",
        "#.*             | one                      | true",
        "exact.key       | exact.key                | true",
        "exact.key       | exact.keys               | false",
        "EXACT           | exact                    | false",
    })
    void topicPatternMatching(String pattern, String key, boolean routed) throws Exception {
        Channel ch = openChannel();
        String x = declareExchange(ch, "topic");
        String q = declareQueue(ch);
        ch.queueBind(q, x, pattern);
        publish(ch, x, key, "m");
        assertThat(ch.basicGet(q, true) != null).as("pattern %s key %s", pattern, key).isEqualTo(routed);
    }

    @Test
    void topicMessageMatchingSeveralBindingsOfOneQueueIsDeliveredOnce() throws Exception {
        Channel ch = openChannel();
        String x = declareExchange(ch, "topic");
        String q = declareQueue(ch);
        ch.queueBind(q, x, "#");
        ch.queueBind(q, x, "a.*");
        ch.queueBind(q, x, "a.b");
        publish(ch, x, "a.b", "once");
        assertThat(getText(ch, q)).isEqualTo("once");
        assertThat(ch.basicGet(q, true)).isNull();
    }

    @Test
    void directRoutesByExactKeyToEveryBoundQueue() throws Exception {
        Channel ch = openChannel();
        String x = declareExchange(ch, "direct");
        String q1 = declareQueue(ch);
        String q2 = declareQueue(ch);
        String q3 = declareQueue(ch);
        ch.queueBind(q1, x, "red");
        ch.queueBind(q2, x, "red");
        ch.queueBind(q2, x, "green");
        ch.queueBind(q3, x, "blue");
        publish(ch, x, "red", "r");
        publish(ch, x, "green", "g");
        publish(ch, x, "Red", "case matters");
        publish(ch, x, "red.x", "no prefix match");
        assertThat(drain(ch, q1)).containsExactly("r");
        assertThat(drain(ch, q2)).containsExactly("r", "g");
        assertThat(drain(ch, q3)).isEmpty();
    }

    @Test
    void fanoutDeliversToEveryBoundQueueIgnoringKey() throws Exception {
        Channel ch = openChannel();
        String x = declareExchange(ch, "fanout");
        List<String> queues = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String q = declareQueue(ch);
            ch.queueBind(q, x, "binding-key-" + i);
            queues.add(q);
        }
        publish(ch, x, "whatever", "to all");
        for (String q : queues) {
            assertThat(drain(ch, q)).as(q).containsExactly("to all");
        }
    }

    @Test
    void headersMatchAll() throws Exception {
        Channel ch = openChannel();
        String x = declareExchange(ch, "headers");
        String q = declareQueue(ch);
        ch.queueBind(q, x, "", Map.of("x-match", "all", "format", "pdf", "type", "report"));
        publishHeaders(ch, x, Map.of("format", "pdf", "type", "report"), "both");
        publishHeaders(ch, x, Map.of("format", "pdf", "type", "report", "extra", "yes"), "both plus extra");
        publishHeaders(ch, x, Map.of("format", "pdf"), "only one");
        publishHeaders(ch, x, Map.of("format", "pdf", "type", "log"), "one differs");
        publishHeaders(ch, x, Map.of(), "none");
        ch.basicPublish(x, "", null, bytes("no headers at all"));
        assertThat(drain(ch, q)).containsExactly("both", "both plus extra");
    }

    @Test
    void headersMatchAny() throws Exception {
        Channel ch = openChannel();
        String x = declareExchange(ch, "headers");
        String q = declareQueue(ch);
        ch.queueBind(q, x, "", Map.of("x-match", "any", "format", "pdf", "type", "report"));
        publishHeaders(ch, x, Map.of("format", "pdf"), "format");
        publishHeaders(ch, x, Map.of("type", "report", "other", 1), "type");
        publishHeaders(ch, x, Map.of("format", "zip", "type", "log"), "neither value");
        publishHeaders(ch, x, Map.of("unrelated", "pdf"), "unrelated");
        assertThat(drain(ch, q)).containsExactly("format", "type");
    }

    @Test
    void headersWithoutXMatchDefaultsToAll() throws Exception {
        Channel ch = openChannel();
        String x = declareExchange(ch, "headers");
        String q = declareQueue(ch);
        ch.queueBind(q, x, "", Map.of("a", "1", "b", "2"));
        publishHeaders(ch, x, Map.of("a", "1"), "only a");
        publishHeaders(ch, x, Map.of("a", "1", "b", "2"), "a and b");
        assertThat(drain(ch, q)).containsExactly("a and b");
    }

    @Test
    void headersMatchingComparesTypedValues() throws Exception {
        Channel ch = openChannel();
        String x = declareExchange(ch, "headers");
        String q = declareQueue(ch);
        ch.queueBind(q, x, "", Map.of("x-match", "all", "n", 42));
        publishHeaders(ch, x, Map.of("n", 42), "int 42");
        publishHeaders(ch, x, Map.of("n", "42"), "string 42");
        publishHeaders(ch, x, Map.of("n", 43), "int 43");
        assertThat(drain(ch, q)).containsExactly("int 42");
    }

    @Test
    void headersBindingKeyIsIgnored() throws Exception {
        Channel ch = openChannel();
        String x = declareExchange(ch, "headers");
        String q = declareQueue(ch);
        ch.queueBind(q, x, "some-key", Map.of("x-match", "any", "h", "v"));
        Map<String, Object> h = new HashMap<>();
        h.put("h", "v");
        ch.basicPublish(x, "another-key", new AMQP.BasicProperties.Builder().headers(h).build(), bytes("key ignored"));
        assertThat(drain(ch, q)).containsExactly("key ignored");
    }

    private static void publishHeaders(Channel ch, String x, Map<String, Object> headers, String body)
            throws Exception {
        ch.basicPublish(x, "", new AMQP.BasicProperties.Builder().headers(headers).build(), bytes(body));
    }

    private static List<String> drain(Channel ch, String q) throws Exception {
        List<String> out = new ArrayList<>();
        for (String s = getText(ch, q); s != null; s = getText(ch, q)) {
            out.add(s);
        }
        return out;
    }
}
