package dev.ferrymq.broker.routing;

/**
 * Something an exchange can route to: a queue or another exchange (exchange-to-exchange bindings).
 * Identity = object identity: routers never call {@code equals}/{@code hashCode} on a destination.
 * Implementations must be safe to share between threads (routers hand them to concurrent callers).
 */
public interface Destination {
    String name();
}
