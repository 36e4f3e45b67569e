package dev.ferrymq.broker.exchange;

import dev.ferrymq.broker.routing.Binding;
import dev.ferrymq.broker.routing.Destination;
import dev.ferrymq.broker.routing.Router;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A router that keeps its bindings and matching in another router and adds behaviour around it (a delayed or a
 * deduplicating exchange routes as a built-in type). Thread-safety: that of the wrapped router.
 */
public abstract class ForwardingRouter implements Router {
    protected final Router inner;

    protected ForwardingRouter(Router inner) {
        this.inner = inner;
    }

    @Override
    public boolean bind(Binding binding) {
        return inner.bind(binding);
    }

    @Override
    public boolean unbind(Binding binding) {
        return inner.unbind(binding);
    }

    @Override
    public void route(String routingKey, Supplier<Map<String, Object>> headers, Consumer<Destination> sink) {
        inner.route(routingKey, headers, sink);
    }

    @Override
    public boolean usesRoutingKey() {
        return inner.usesRoutingKey();
    }

    @Override
    public List<Binding> bindings() {
        return inner.bindings();
    }

    @Override
    public boolean isEmpty() {
        return inner.isEmpty();
    }

    @Override
    public List<Binding> removeDestination(Destination d) {
        return inner.removeDestination(d);
    }

    @Override
    public boolean hasBindingsTo(Destination d) {
        return inner.hasBindingsTo(d);
    }
}
