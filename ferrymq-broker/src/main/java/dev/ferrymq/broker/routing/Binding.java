package dev.ferrymq.broker.routing;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One binding of an exchange: destination, routing (binding) key and arguments.
 * <p>
 * Identity follows RabbitMQ: two bindings are the same when they have the same destination
 * (object identity), equal routing keys and equal arguments. {@code arguments} is never null
 * and is an unmodifiable copy (it may contain null values: AMQP void, meaningful to headers
 * exchanges). Immutable, hence thread-safe.
 */
public record Binding(Destination destination, String routingKey, Map<String, Object> arguments) {

    public Binding {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(routingKey, "routingKey");
        // Map.copyOf rejects null values, which are legal here (void), hence the LinkedHashMap copy.
        arguments = arguments == null || arguments.isEmpty()
                ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(arguments));
    }

    public Binding(Destination destination, String routingKey) {
        this(destination, routingKey, Map.of());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Binding b
                && destination == b.destination
                && routingKey.equals(b.routingKey)
                && arguments.equals(b.arguments);
    }

    @Override
    public int hashCode() {
        return (System.identityHashCode(destination) * 31 + routingKey.hashCode()) * 31 + arguments.hashCode();
    }

    @Override
    public String toString() {
        return "Binding[" + destination.name() + ", '" + routingKey + "', " + arguments + "]";
    }
}
