package dev.ferrymq.broker.routing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Helpers shared by the router tests. */
final class RoutingAssertions {
    private RoutingAssertions() {
    }

    /** Distinct destinations (by identity) routed for the key/headers, in first-seen order. */
    static List<Destination> routed(Router router, String routingKey, Map<String, Object> headers) {
        Set<Destination> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Destination> out = new ArrayList<>();
        router.route(routingKey, () -> headers, d -> {
            if (seen.add(d)) {
                out.add(d);
            }
        });
        return out;
    }

    static List<Destination> routed(Router router, String routingKey) {
        return routed(router, routingKey, Map.of());
    }
}
