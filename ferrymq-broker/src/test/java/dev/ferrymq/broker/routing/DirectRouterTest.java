package dev.ferrymq.broker.routing;

import static dev.ferrymq.broker.routing.RoutingAssertions.routed;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DirectRouterTest {
    private final DirectRouter router = new DirectRouter();
    private final TestQueue q1 = new TestQueue("q1");
    private final TestQueue q2 = new TestQueue("q2");

    @Test
    void routesOnlyOnExactKeyMatch() {
        router.bind(new Binding(q1, "orders.eu"));
        router.bind(new Binding(q2, "orders"));
        assertThat(routed(router, "orders.eu")).containsExactly(q1);
        assertThat(routed(router, "orders")).containsExactly(q2);
        assertThat(routed(router, "Orders")).isEmpty();
        assertThat(routed(router, "orders.")).isEmpty();
        assertThat(routed(router, "orders.*")).isEmpty();
        assertThat(routed(router, "#")).isEmpty();
    }

    @Test
    void emptyKeyIsAnOrdinaryKey() {
        router.bind(new Binding(q1, ""));
        assertThat(routed(router, "")).containsExactly(q1);
        assertThat(routed(router, "x")).isEmpty();
    }

    @Test
    void severalDestinationsOnOneKeyAllReceive() {
        router.bind(new Binding(q1, "k"));
        router.bind(new Binding(q2, "k"));
        assertThat(routed(router, "k")).containsExactly(q1, q2);
        router.unbind(new Binding(q1, "k"));
        assertThat(routed(router, "k")).containsExactly(q2);
    }

    @Test
    void duplicateBindingDoesNotDuplicateDelivery() {
        assertThat(router.bind(new Binding(q1, "k"))).isTrue();
        assertThat(router.bind(new Binding(q1, "k"))).isFalse();
        List<Destination> raw = new ArrayList<>();
        router.route("k", Map::of, raw::add);
        assertThat(raw).containsExactly(q1);
    }

    @Test
    void sameDestinationWithDifferentArgumentsIsTwoBindingsButStillRoutesAfterOneIsRemoved() {
        router.bind(new Binding(q1, "k", Map.of("a", 1)));
        router.bind(new Binding(q1, "k", Map.of("a", 2)));
        router.unbind(new Binding(q1, "k", Map.of("a", 1)));
        assertThat(routed(router, "k")).containsExactly(q1);
        router.unbind(new Binding(q1, "k", Map.of("a", 2)));
        assertThat(routed(router, "k")).isEmpty();
        assertThat(router.isEmpty()).isTrue();
    }

    @Test
    void neverAsksForHeaders() {
        router.bind(new Binding(q1, "k"));
        router.route("k", () -> {
            throw new AssertionError("headers requested");
        }, d -> { });
    }
}
