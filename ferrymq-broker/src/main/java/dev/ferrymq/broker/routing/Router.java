package dev.ferrymq.broker.routing;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The routing table of one exchange.
 * <p>
 * Thread-safety: implementations are thread-safe. {@link #route} runs concurrently on many
 * threads and never takes a lock; it observes each concurrent bind/unbind either entirely or
 * not at all, but a multi-binding change (e.g. {@link #removeDestination}) is not atomic for
 * readers. The mutating methods are rare and serialize on a per-router lock.
 */
public interface Router {

    /** Adds a binding; false if that exact binding (see {@link Binding} identity) already existed. */
    boolean bind(Binding binding);

    /** Removes a binding; false if it did not exist. */
    boolean unbind(Binding binding);

    /**
     * Calls {@code sink} for every destination whose binding matches. May call sink more than
     * once for the same destination; callers dedupe. {@code headers} is only invoked by the
     * headers router, at most once per call; it may be null or return null (= no headers).
     */
    void route(String routingKey, Supplier<Map<String, Object>> headers, Consumer<Destination> sink);

    /**
     * Whether {@link #route} depends on the routing key; false lets a caller that routes one message with
     * several keys (CC/BCC headers) route it once.
     */
    default boolean usesRoutingKey() {
        return true;
    }

    /** Type-specific figures for the management API (e.g. a delayed exchange's scheduled messages). */
    default Map<String, Object> details() {
        return Map.of();
    }

    /** The exchange was deleted: release what the router holds beyond its bindings (files, caches). */
    default void deleted() {
    }

    /** Snapshot of all bindings, in bind order. */
    List<Binding> bindings();

    boolean isEmpty();

    /** Removes and returns every binding to {@code d} (the queue or exchange was deleted). */
    List<Binding> removeDestination(Destination d);

    boolean hasBindingsTo(Destination d);

    /** "direct", "fanout", "topic", "headers" → a new empty router; anything else → null. */
    static Router forType(String exchangeType) {
        if (exchangeType == null) {
            return null;
        }
        return switch (exchangeType) {
            case "direct" -> new DirectRouter();
            case "fanout" -> new FanoutRouter();
            case "topic" -> new TopicRouter();
            case "headers" -> new HeadersRouter();
            default -> null;
        };
    }
}
