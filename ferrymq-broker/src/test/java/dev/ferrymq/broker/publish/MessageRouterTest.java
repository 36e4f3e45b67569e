package dev.ferrymq.broker.publish;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.broker.queue.Queue;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which queues a message reaches: exchange hops, CC/BCC keys, alternate exchanges, the default exchange. */
class MessageRouterTest {
    private final VirtualHost vhost = new VirtualHost("/");
    private final MessageRouter router = new MessageRouter(vhost);

    private Queue queue(String name) {
        return vhost.declareQueue(name, false, false, false, false, Map.of(), null).queue();
    }

    private void exchange(String name, String type, Map<String, Object> args) {
        vhost.declareExchange(name, type, false, false, false, false, args);
    }

    @Test
    void unroutedMessageFollowsTheAlternateExchangeChain() {
        Queue caught = queue("caught");
        exchange("last", "fanout", Map.of());
        exchange("middle", "direct", Map.of("alternate-exchange", "last"));
        exchange("first", "direct", Map.of("alternate-exchange", "middle"));
        vhost.bindQueue("caught", "last", "", Map.of(), null);

        assertThat(router.route(vhost.exchange("first"), "nothing-bound", List.of(), null)).containsExactly(caught);
        assertThat(router.routeWithoutAlternate(vhost.exchange("first"), "nothing-bound", List.of(), null))
                .as("dead letters ignore alternate exchanges").isEmpty();
    }

    @Test
    void aCycleOfAlternateExchangesEndsRouting() {
        exchange("a", "direct", Map.of("alternate-exchange", "b"));
        exchange("b", "direct", Map.of("alternate-exchange", "a"));
        assertThat(router.route(vhost.exchange("a"), "k", List.of(), null)).isEmpty();
    }

    @Test
    void exchangeToExchangeHopsReachEachQueueOnceAndStopAtACycle() {
        Queue q = queue("q");
        exchange("x1", "fanout", Map.of());
        exchange("x2", "fanout", Map.of());
        vhost.bindExchange("x2", "x1", "", Map.of());
        vhost.bindExchange("x1", "x2", "", Map.of());
        vhost.bindQueue("q", "x1", "", Map.of(), null);
        vhost.bindQueue("q", "x2", "", Map.of(), null);
        assertThat(router.route(vhost.exchange("x1"), "", List.of(), null)).containsExactly(q);
    }

    @Test
    void ccKeysRouteLikeTheRoutingKeyAndEachQueueGetsTheMessageOnce() {
        Queue a = queue("a");
        Queue b = queue("b");
        vhost.bindQueue("a", "amq.direct", "ka", Map.of(), null);
        vhost.bindQueue("b", "amq.direct", "kb", Map.of(), null);
        assertThat(router.route(vhost.exchange("amq.direct"), "ka", List.of("kb", "ka"), null))
                .containsExactly(a, b);
    }

    @Test
    void defaultExchangeRoutesByQueueNameIncludingCcKeys() {
        Queue a = queue("a");
        Queue b = queue("b");
        assertThat(router.route(null, "a", List.of(), null)).containsExactly(a);
        assertThat(router.route(null, "a", List.of("b", "missing", "a"), null)).containsExactly(a, b);
        assertThat(router.route(null, "missing", List.of(), null)).isEmpty();
    }

    @Test
    void headersExchangeMatchesOnThePublishedHeaders() {
        Queue q = queue("q");
        vhost.bindQueue("q", "amq.headers", "", Map.of("x-match", "all", "h", "v"), null);
        assertThat(router.route(vhost.exchange("amq.headers"), "", List.of(), Map.of("h", "v"))).containsExactly(q);
        assertThat(router.route(vhost.exchange("amq.headers"), "", List.of(), null)).isEmpty();
    }
}
