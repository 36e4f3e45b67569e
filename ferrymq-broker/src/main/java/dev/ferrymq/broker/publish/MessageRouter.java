package dev.ferrymq.broker.publish;

import dev.ferrymq.broker.Exchange;
import dev.ferrymq.broker.Policy;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.routing.Router;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Finds the queues a message goes to in one virtual host: through the exchange's {@link Router}, on along
 * exchange-to-exchange bindings, by the routing key and each CC/BCC key ({@link SenderSelected}), and when nothing
 * matched through the alternate exchanges; the default exchange routes by queue name. It only reads: delivering is
 * the {@link Publisher}'s job.
 *
 * <p>Thread-safety: takes no lock; reads the virtual host's concurrent maps and the routers' snapshots, so a route
 * racing a topology change sees the topology before or after it.
 */
public final class MessageRouter {
    private final VirtualHost vhost;

    public MessageRouter(VirtualHost vhost) {
        this.vhost = vhost;
    }

    /**
     * The queues a message published to {@code exchange} (null for the default exchange) reaches, each once; an
     * exchange that routes it nowhere hands it to its alternate exchange.
     */
    public List<Queue> route(Exchange exchange, String routingKey, List<String> extraKeys,
                             Map<String, Object> headers) {
        if (exchange == null) {
            return queuesNamed(routingKey, extraKeys);
        }
        List<Queue> matched = routeFrom(exchange, routingKey, extraKeys, headers);
        return matched.isEmpty() ? routeToAlternate(exchange, routingKey, extraKeys, headers) : matched;
    }

    /** Like {@link #route} but without alternate exchanges: how a dead letter is routed, as in RabbitMQ. */
    List<Queue> routeWithoutAlternate(Exchange exchange, String routingKey, List<String> extraKeys,
                                      Map<String, Object> headers) {
        return exchange == null ? queuesNamed(routingKey, extraKeys)
                : routeFrom(exchange, routingKey, extraKeys, headers);
    }

    /**
     * An unroutable message goes to the exchange's alternate exchange (argument, else policy), and on through that
     * one's, until one routes it (a cycle of alternates ends routing). A missing alternate exchange drops it, as
     * RabbitMQ does.
     */
    private List<Queue> routeToAlternate(Exchange exchange, String routingKey, List<String> extraKeys,
                                         Map<String, Object> headers) {
        Set<Exchange> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        Exchange current = exchange;
        while (visited.add(current)) {
            String alternate = alternateExchange(current);
            current = alternate == null ? null : vhost.findExchange(alternate);
            if (current == null) {
                break;
            }
            List<Queue> matched = routeFrom(current, routingKey, extraKeys, headers);
            if (!matched.isEmpty()) {
                return matched;
            }
        }
        return List.of();
    }

    /** An exchange's alternate exchange: its {@code alternate-exchange} argument, else its policy's, or null. */
    private String alternateExchange(Exchange exchange) {
        Object alternate = exchange.arguments().get("alternate-exchange");
        if (alternate != null) {
            return alternate instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : alternate.toString();
        }
        Policy policy = vhost.policies().forExchange(exchange.name());
        return policy == null ? null : policy.text("alternate-exchange");
    }

    /** The default exchange's routing: the queues named by the routing key and the CC/BCC keys, each once. */
    private List<Queue> queuesNamed(String routingKey, List<String> extraKeys) {
        Queue queue = vhost.findQueue(routingKey);
        if (extraKeys.isEmpty()) {
            return queue == null ? List.of() : List.of(queue);
        }
        RouteCollector collector = new RouteCollector();
        if (queue != null) {
            collector.addQueue(queue);
        }
        for (String key : extraKeys) {
            Queue named = vhost.findQueue(key);
            if (named != null) {
                collector.addQueue(named);
            }
        }
        return collector.queues;
    }

    /** The queues reached from {@code exchange}, following exchange-to-exchange bindings (a cycle ends there). */
    private static List<Queue> routeFrom(Exchange exchange, String routingKey, List<String> extraKeys,
                                         Map<String, Object> headers) {
        RouteCollector collector = new RouteCollector();
        Supplier<Map<String, Object>> headerTable = () -> headers;
        routeThrough(exchange, routingKey, extraKeys, headerTable, collector);
        if (collector.hops != null) {
            Set<Exchange> visited = Collections.newSetFromMap(new IdentityHashMap<>());
            visited.add(exchange);
            while (!collector.hops.isEmpty()) {
                Exchange next = collector.hops.remove(collector.hops.size() - 1);
                if (visited.add(next)) {
                    routeThrough(next, routingKey, extraKeys, headerTable, collector);
                }
            }
        }
        return collector.queues;
    }

    private static void routeThrough(Exchange exchange, String routingKey, List<String> extraKeys,
                                     Supplier<Map<String, Object>> headers, RouteCollector collector) {
        Router router = exchange.router();
        router.route(routingKey, headers, collector);
        if (!extraKeys.isEmpty() && router.usesRoutingKey()) {
            for (String key : extraKeys) {
                router.route(key, headers, collector);
            }
        }
    }
}
