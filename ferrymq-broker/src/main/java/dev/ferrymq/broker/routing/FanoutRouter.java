package dev.ferrymq.broker.routing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Fanout exchange: every bound destination matches; the routing key and headers are ignored.
 * <p>
 * Thread-safety: route iterates an immutable array of distinct destinations published through
 * a volatile field (no lock); mutations rebuild it under the {@link AbstractRouter} lock.
 */
public final class FanoutRouter extends AbstractRouter {

    private static final Destination[] NONE = new Destination[0];

    private volatile Destination[] destinations = NONE;

    @Override
    public boolean usesRoutingKey() {
        return false;
    }

    @Override
    public void route(String routingKey, Supplier<Map<String, Object>> headers, Consumer<Destination> sink) {
        for (Destination d : destinations) {
            sink.accept(d);
        }
    }

    @Override
    protected void added(Binding binding) {
        rebuild();
    }

    @Override
    protected void removed(List<Binding> bindings) {
        rebuild();
    }

    /** Distinct destinations in first-bind order, so each one is delivered to once. */
    private void rebuild() {
        Set<Destination> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Destination> distinct = new ArrayList<>();
        for (Binding b : currentBindings()) {
            if (seen.add(b.destination())) {
                distinct.add(b.destination());
            }
        }
        destinations = distinct.toArray(NONE);
    }
}
