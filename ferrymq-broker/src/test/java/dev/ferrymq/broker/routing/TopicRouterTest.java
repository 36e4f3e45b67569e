package dev.ferrymq.broker.routing;

import static dev.ferrymq.broker.routing.RoutingAssertions.routed;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TopicRouterTest {

    /** (binding key, routing key, matches?) — RabbitMQ semantics; "" has zero words, "." has two empty ones. */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("a.b.c", "a.b.c", true),
                Arguments.of("a.b.c", "a.b", false),
                Arguments.of("a.b", "a.b.c", false),
                Arguments.of("A", "a", false),
                Arguments.of("*", "a", true),
                Arguments.of("*", "", false),
                Arguments.of("*", "a.b", false),
                Arguments.of("*", ".", false),
                Arguments.of("*.*", ".", true),
                Arguments.of("*.*.*", "a.b", false),
                Arguments.of("#", "", true),
                Arguments.of("#", "a", true),
                Arguments.of("#", "a.b.c", true),
                Arguments.of("#", ".", true),
                Arguments.of("#", "#", true),
                Arguments.of("", "", true),
                Arguments.of("", "a", false),
                Arguments.of("", ".", false),
                Arguments.of("a.#", "a", true),
                Arguments.of("a.#", "a.b.c", true),
                Arguments.of("a.#", "b.a", false),
                Arguments.of("a.#", "", false),
                Arguments.of("#.a", "a", true),
                Arguments.of("#.a", "x.y.a", true),
                Arguments.of("#.a", "a.x", false),
                Arguments.of("#.a", ".a", true),
                Arguments.of("a.#.b", "a.b", true),
                Arguments.of("a.#.b", "a.x.b", true),
                Arguments.of("a.#.b", "a.x.y.b", true),
                Arguments.of("a.#.b", "a.b.c", false),
                Arguments.of("a.#.b", "a.b.b", true),
                Arguments.of("a.#.#.b", "a.b", true),
                Arguments.of("#.#", "", true),
                Arguments.of("#.#", "a.b", true),
                Arguments.of("#.b.#", "b", true),
                Arguments.of("#.b.#", "a.b.c", true),
                Arguments.of("#.b.#", "a.c", false),
                Arguments.of("a.*.#", "a", false),
                Arguments.of("a.*.#", "a.b", true),
                Arguments.of("a.*.#", "a.b.c.d", true),
                Arguments.of("*.#", "", false),
                Arguments.of("#.*", "a", true),
                Arguments.of("#.*", "", false),
                Arguments.of("a..b", "a..b", true),
                Arguments.of("a..b", "a.b", false),
                Arguments.of("a.*.b", "a..b", true),
                Arguments.of("a.", "a.", true),
                Arguments.of("a.", "a", false),
                Arguments.of("a.*", "a.", true),
                Arguments.of(".a", ".a", true),
                Arguments.of("*.a", ".a", true),
                Arguments.of("a.b", "a.*", false), // '*' in a routing key is a literal word
                Arguments.of("a.*", "a.*", true),
                Arguments.of("a.b", "a.#", false),
                Arguments.of("stock.usd.nyse", "stock.usd.nyse", true),
                Arguments.of("*.orange.*", "quick.orange.rabbit", true),
                Arguments.of("*.*.rabbit", "quick.orange.fox", false),
                Arguments.of("lazy.#", "lazy.orange.male.rabbit", true));
    }

    @ParameterizedTest(name = "binding ''{0}'' vs routing ''{1}'' -> {2}")
    @MethodSource("cases")
    void matchesLikeRabbitMq(String bindingKey, String routingKey, boolean expected) {
        TopicRouter router = new TopicRouter();
        TestQueue q = new TestQueue("q");
        router.bind(new Binding(q, bindingKey));
        assertThat(routed(router, routingKey)).as("'%s' vs '%s'", bindingKey, routingKey)
                .isEqualTo(expected ? List.of(q) : List.of());
    }

    @ParameterizedTest(name = "binding ''{0}'' vs routing ''{1}'' -> {2}")
    @MethodSource("cases")
    void matchesLikeRabbitMqAmongOtherBindings(String bindingKey, String routingKey, boolean expected) {
        // Same table in one crowded trie: shared prefixes must not leak matches between bindings.
        TopicRouter router = new TopicRouter();
        TestQueue q = new TestQueue("q");
        TestQueue other = new TestQueue("other");
        cases().forEach(c -> {
            String key = (String) c.get()[0];
            if (!key.equals(bindingKey)) {
                router.bind(new Binding(other, key));
            }
        });
        router.bind(new Binding(q, bindingKey));
        assertThat(routed(router, routingKey).contains(q)).as("'%s' vs '%s'", bindingKey, routingKey)
                .isEqualTo(expected);
    }

    @Test
    void unbindingEverythingPrunesTheTrie() {
        TopicRouter router = new TopicRouter();
        TestQueue q = new TestQueue("q");
        List<Binding> all = new ArrayList<>();
        cases().forEach(c -> all.add(new Binding(q, (String) c.get()[0])));
        all.forEach(router::bind);
        assertThat(router.trieIsEmpty()).isFalse();
        all.forEach(router::unbind);
        assertThat(router.isEmpty()).isTrue();
        assertThat(router.trieIsEmpty()).isTrue();
        assertThat(routed(router, "a.b")).isEmpty();
    }

    @Test
    void unbindingALeafKeepsItsPrefixBindingsAndTheirSubtrees() {
        TopicRouter router = new TopicRouter();
        TestQueue q1 = new TestQueue("q1");
        TestQueue q2 = new TestQueue("q2");
        TestQueue q3 = new TestQueue("q3");
        router.bind(new Binding(q1, "a"));
        router.bind(new Binding(q2, "a.b.c"));
        router.bind(new Binding(q3, "a.b.d"));
        router.unbind(new Binding(q2, "a.b.c"));
        assertThat(routed(router, "a")).containsExactly(q1);
        assertThat(routed(router, "a.b.c")).isEmpty();
        assertThat(routed(router, "a.b.d")).containsExactly(q3);
        router.unbind(new Binding(q1, "a"));
        assertThat(routed(router, "a.b.d")).containsExactly(q3);
        router.removeDestination(q3);
        assertThat(router.trieIsEmpty()).isTrue();
    }

    @Test
    void rebindingAfterPruneWorks() {
        TopicRouter router = new TopicRouter();
        TestQueue q = new TestQueue("q");
        router.bind(new Binding(q, "a.#.b"));
        router.unbind(new Binding(q, "a.#.b"));
        assertThat(routed(router, "a.b")).isEmpty();
        router.bind(new Binding(q, "a.#.b"));
        assertThat(routed(router, "a.x.b")).containsExactly(q);
    }

    @Test
    void manyHashesDoNotBlowUp() {
        // Naive backtracking over 12 '#' against 200 words is astronomically slow; the memo keeps it polynomial.
        TopicRouter router = new TopicRouter();
        TestQueue q = new TestQueue("q");
        router.bind(new Binding(q, "#.a.#.a.#.a.#.a.#.a.#.a.#.a.#.a.#.a.#.a.#.a.#.b"));
        String key = String.join(".", java.util.Collections.nCopies(200, "a"));
        assertThat(routed(router, key)).isEmpty();
        assertThat(routed(router, key + ".b")).containsExactly(q);
    }

    @Test
    void ignoresHeaders() {
        TopicRouter router = new TopicRouter();
        TestQueue q = new TestQueue("q");
        router.bind(new Binding(q, "#"));
        List<Destination> out = new ArrayList<>();
        router.route("x", () -> {
            throw new AssertionError("headers requested");
        }, out::add);
        assertThat(out).containsExactly(q);
        assertThat(routed(router, "x", Map.of("h", 1))).containsExactly(q);
    }
}
