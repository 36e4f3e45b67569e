package dev.ferrymq.broker.exchange;

import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.broker.routing.Router;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exchange types one broker can create: the built-in routers ({@link Router#forType}) and the types registered
 * at start-up (the delayed-message exchange needs the broker's store, so the registry is per broker, not global).
 *
 * <p>Thread-safety: thread-safe.
 */
public final class ExchangeTypes {
    private final Map<String, ExchangeType> registered = new ConcurrentHashMap<>();

    /** Makes {@code type} declarable by its name. */
    public ExchangeTypes register(ExchangeType type) {
        registered.put(type.name(), type);
        return this;
    }

    /** Whether {@code type} names a built-in or registered type. */
    public boolean knows(String type) {
        return type != null && (Router.forType(type) != null || registered.containsKey(type));
    }

    /** The registered (non-built-in) type of that name, or null. */
    public ExchangeType find(String type) {
        return type == null ? null : registered.get(type);
    }

    /** A new router for an exchange of {@code type}, or null for an unknown type. */
    public Router create(String type, VirtualHost vhost, String exchange, boolean durable,
                         Map<String, Object> arguments) {
        Router builtIn = Router.forType(type);
        if (builtIn != null) {
            return builtIn;
        }
        ExchangeType registeredType = find(type);
        return registeredType == null ? null
                : registeredType.create(vhost, exchange, durable, arguments == null ? Map.of() : arguments);
    }
}
