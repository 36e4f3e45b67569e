package dev.ferrymq.broker.routing;

import static dev.ferrymq.broker.routing.RoutingAssertions.routed;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Behaviour every router type shares: binding identity, bookkeeping, removeDestination. */
class RouterContractTest {

    static Stream<String> types() {
        return Stream.of("direct", "fanout", "topic", "headers");
    }

    @Test
    void forTypeKnowsTheFourStandardTypesAndNothingElse() {
        assertThat(Router.forType("direct")).isInstanceOf(DirectRouter.class);
        assertThat(Router.forType("fanout")).isInstanceOf(FanoutRouter.class);
        assertThat(Router.forType("topic")).isInstanceOf(TopicRouter.class);
        assertThat(Router.forType("headers")).isInstanceOf(HeadersRouter.class);
        assertThat(Router.forType("x-consistent-hash")).isNull();
        assertThat(Router.forType("Direct")).isNull();
        assertThat(Router.forType("")).isNull();
        assertThat(Router.forType(null)).isNull();
        assertThat(Router.forType("topic")).isNotSameAs(Router.forType("topic"));
    }

    @Test
    void bindingIdentityUsesDestinationIdentityNotEquals() {
        TestQueue q1 = new TestQueue("q");
        TestQueue q1Twin = new TestQueue("q");
        assertThat(q1).isEqualTo(q1Twin); // records: value-equal...
        assertThat(new Binding(q1, "k")).isNotEqualTo(new Binding(q1Twin, "k")); // ...but distinct destinations
        assertThat(new Binding(q1, "k", Map.of())).isEqualTo(new Binding(q1, "k", null));
        assertThat(new Binding(q1, "k", null).arguments()).isEmpty();
        assertThat(new Binding(q1, "k", Map.of("a", 1))).isNotEqualTo(new Binding(q1, "k", Map.of("a", 2)));
        assertThat(new Binding(q1, "k", Map.of("a", 1))).hasSameHashCodeAs(new Binding(q1, "k", Map.of("a", 1)));
    }

    @Test
    void bindingArgumentsAreAnImmutableCopyThatMayHoldVoid() {
        Map<String, Object> args = new HashMap<>();
        args.put("void", null);
        Binding b = new Binding(new TestQueue("q"), "", args);
        args.put("later", 1);
        assertThat(b.arguments()).containsOnlyKeys("void");
        assertThat(b.arguments().get("void")).isNull();
    }

    @ParameterizedTest
    @MethodSource("types")
    void duplicateBindIsRejectedAndUnbindOfUnknownBindingReturnsFalse(String type) {
        Router r = Router.forType(type);
        TestQueue q = new TestQueue("q");
        assertThat(r.isEmpty()).isTrue();
        assertThat(r.bind(new Binding(q, "k", Map.of("a", 1)))).isTrue();
        assertThat(r.bind(new Binding(q, "k", Map.of("a", 1)))).isFalse();
        assertThat(r.bind(new Binding(q, "k", Map.of("a", 2)))).isTrue(); // other args = other binding
        assertThat(r.bind(new Binding(new TestQueue("q"), "k", Map.of("a", 1)))).isTrue();
        assertThat(r.bindings()).hasSize(3);
        assertThat(r.unbind(new Binding(q, "other"))).isFalse();
        assertThat(r.unbind(new Binding(q, "k", Map.of("a", 1)))).isTrue();
        assertThat(r.unbind(new Binding(q, "k", Map.of("a", 1)))).isFalse();
        assertThat(r.bindings()).hasSize(2);
        assertThat(r.isEmpty()).isFalse();
    }

    @ParameterizedTest
    @MethodSource("types")
    void bindingsAreASnapshotInBindOrder(String type) {
        Router r = Router.forType(type);
        TestQueue q = new TestQueue("q");
        Binding b1 = new Binding(q, "c");
        Binding b2 = new Binding(q, "a");
        Binding b3 = new Binding(q, "b");
        r.bind(b1);
        r.bind(b2);
        r.bind(b3);
        var snapshot = r.bindings();
        r.unbind(b2);
        assertThat(snapshot).containsExactly(b1, b2, b3);
        assertThat(r.bindings()).containsExactly(b1, b3);
    }

    @ParameterizedTest
    @MethodSource("types")
    void removeDestinationRemovesAndReturnsOnlyThatDestinationsBindings(String type) {
        Router r = Router.forType(type);
        TestQueue gone = new TestQueue("gone");
        TestQueue stays = new TestQueue("stays");
        Binding g1 = new Binding(gone, "k");
        Binding g2 = new Binding(gone, "j", Map.of("x-match", "any", "h", 1));
        Binding s1 = new Binding(stays, "k");
        r.bind(g1);
        r.bind(s1);
        r.bind(g2);
        assertThat(r.hasBindingsTo(gone)).isTrue();
        assertThat(r.hasBindingsTo(new TestQueue("gone"))).isFalse();

        assertThat(r.removeDestination(gone)).containsExactlyInAnyOrder(g1, g2);

        assertThat(r.hasBindingsTo(gone)).isFalse();
        assertThat(r.hasBindingsTo(stays)).isTrue();
        assertThat(r.bindings()).containsExactly(s1);
        assertThat(r.removeDestination(gone)).isEmpty();
        assertThat(routed(r, "k", Map.of("h", 1))).doesNotContain(gone);
        assertThat(r.removeDestination(stays)).containsExactly(s1);
        assertThat(r.isEmpty()).isTrue();
        assertThat(routed(r, "k", Map.of("h", 1))).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("types")
    void unbindingTheLastBindingToADestinationClearsHasBindingsTo(String type) {
        Router r = Router.forType(type);
        TestQueue q = new TestQueue("q");
        r.bind(new Binding(q, "a"));
        r.bind(new Binding(q, "b"));
        r.unbind(new Binding(q, "a"));
        assertThat(r.hasBindingsTo(q)).isTrue();
        r.unbind(new Binding(q, "b"));
        assertThat(r.hasBindingsTo(q)).isFalse();
        assertThat(r.isEmpty()).isTrue();
    }
}
