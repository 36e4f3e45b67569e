package dev.ferrymq.broker.routing;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Direct exchange: a binding matches when its key equals the routing key exactly. O(1) lookup.
 * <p>
 * Thread-safety: route reads a ConcurrentHashMap of immutable per-key arrays (no lock);
 * mutations replace those arrays under the {@link AbstractRouter} lock.
 */
public final class DirectRouter extends AbstractRouter {

    private final ConcurrentHashMap<String, Binding[]> byKey = new ConcurrentHashMap<>();

    @Override
    public void route(String routingKey, Supplier<Map<String, Object>> headers, Consumer<Destination> sink) {
        Binding[] matches = byKey.get(routingKey == null ? "" : routingKey);
        if (matches != null) {
            for (Binding b : matches) {
                sink.accept(b.destination());
            }
        }
    }

    @Override
    protected void added(Binding binding) {
        byKey.merge(binding.routingKey(), new Binding[] {binding}, (old, one) -> CowArrays.with(old, binding));
    }

    @Override
    protected void removed(List<Binding> bindings) {
        for (Binding b : bindings) {
            // Returning null from computeIfPresent drops the key, so empty keys do not accumulate.
            byKey.computeIfPresent(b.routingKey(), (k, old) -> {
                Binding[] rest = CowArrays.without(old, b);
                return rest.length == 0 ? null : rest;
            });
        }
    }
}
