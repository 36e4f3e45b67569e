package dev.ferrymq.broker.routing;

import static dev.ferrymq.broker.routing.RoutingAssertions.routed;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FanoutRouterTest {
    private final FanoutRouter router = new FanoutRouter();
    private final TestQueue q1 = new TestQueue("q1");
    private final TestQueue q2 = new TestQueue("q2");

    @Test
    void routesToEveryDestinationWhateverTheKey() {
        router.bind(new Binding(q1, "ignored"));
        router.bind(new Binding(q2, ""));
        assertThat(routed(router, "anything")).containsExactly(q1, q2);
        assertThat(routed(router, "")).containsExactly(q1, q2);
        assertThat(routed(router, null)).containsExactly(q1, q2);
    }

    @Test
    void destinationBoundTwiceIsDeliveredOnceAndStaysUntilLastBindingGoes() {
        router.bind(new Binding(q1, "a"));
        router.bind(new Binding(q1, "b"));
        List<Destination> raw = new ArrayList<>();
        router.route("x", Map::of, raw::add);
        assertThat(raw).containsExactly(q1);
        router.unbind(new Binding(q1, "a"));
        assertThat(routed(router, "x")).containsExactly(q1);
        router.unbind(new Binding(q1, "b"));
        assertThat(routed(router, "x")).isEmpty();
    }

    @Test
    void emptyRouterRoutesNowhere() {
        assertThat(routed(router, "x")).isEmpty();
        assertThat(router.isEmpty()).isTrue();
    }
}
