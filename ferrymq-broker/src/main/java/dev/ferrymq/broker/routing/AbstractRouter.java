package dev.ferrymq.broker.routing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Binding bookkeeping shared by all routers: the set of bindings in bind order, an index by
 * destination, and the lock that serializes mutations. Subclasses keep their own lock-free
 * lookup structure for {@link #route} and update it in {@link #added} / {@link #removed}.
 * <p>
 * Thread-safety: all mutations and the bookkeeping queries hold {@code this} monitor; the
 * hooks are called while it is held. {@link #isEmpty()} reads a volatile count without locking.
 */
abstract class AbstractRouter implements Router {

    private final LinkedHashSet<Binding> all = new LinkedHashSet<>();
    private final Map<Destination, Set<Binding>> byDestination = new IdentityHashMap<>();
    private volatile int size;

    /** Publishes a new binding to the route structure. Called with the lock held. */
    protected abstract void added(Binding binding);

    /** Withdraws bindings from the route structure (one call per unbind/removeDestination). Lock held. */
    protected abstract void removed(List<Binding> bindings);

    @Override
    public final synchronized boolean bind(Binding binding) {
        Objects.requireNonNull(binding, "binding");
        if (!all.add(binding)) {
            return false;
        }
        byDestination.computeIfAbsent(binding.destination(), d -> new LinkedHashSet<>()).add(binding);
        size = all.size();
        added(binding);
        return true;
    }

    @Override
    public final synchronized boolean unbind(Binding binding) {
        if (binding == null || !all.remove(binding)) {
            return false;
        }
        Set<Binding> forDest = byDestination.get(binding.destination());
        forDest.remove(binding);
        if (forDest.isEmpty()) {
            byDestination.remove(binding.destination());
        }
        size = all.size();
        removed(List.of(binding));
        return true;
    }

    @Override
    public final synchronized List<Binding> removeDestination(Destination d) {
        Set<Binding> forDest = byDestination.remove(d);
        if (forDest == null) {
            return List.of();
        }
        List<Binding> gone = List.copyOf(forDest);
        all.removeAll(gone);
        size = all.size();
        removed(gone);
        return gone;
    }

    @Override
    public final synchronized List<Binding> bindings() {
        return List.copyOf(all);
    }

    @Override
    public final boolean isEmpty() {
        return size == 0;
    }

    @Override
    public final synchronized boolean hasBindingsTo(Destination d) {
        return byDestination.containsKey(d);
    }

    /** Bindings in bind order; only for subclasses rebuilding a snapshot, lock held. */
    protected final List<Binding> currentBindings() {
        return Collections.unmodifiableList(new ArrayList<>(all));
    }
}
