package dev.ferrymq.broker;

import dev.ferrymq.broker.routing.Destination;
import dev.ferrymq.broker.routing.Router;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A named exchange of one type; its bindings and matching live in its {@link Router}. Immutable apart from the
 * router, which is thread-safe.
 */
public final class Exchange implements Destination {
    private final String name;
    private final String type;
    private final boolean durable;
    private final boolean autoDelete;
    private final boolean internal;
    private final Map<String, Object> arguments;
    private final Router router;

    Exchange(String name, String type, boolean durable, boolean autoDelete, boolean internal,
             Map<String, Object> arguments, Router router) {
        this.name = name;
        this.type = type;
        this.durable = durable;
        this.autoDelete = autoDelete;
        this.internal = internal;
        this.arguments = Collections.unmodifiableMap(new LinkedHashMap<>(arguments));
        this.router = router;
    }

    @Override
    public String name() {
        return name;
    }

    public String type() {
        return type;
    }

    public boolean durable() {
        return durable;
    }

    public boolean autoDelete() {
        return autoDelete;
    }

    public boolean internal() {
        return internal;
    }

    public Map<String, Object> arguments() {
        return arguments;
    }

    public Router router() {
        return router;
    }

    @Override
    public String toString() {
        return "exchange '" + name + "'";
    }
}
