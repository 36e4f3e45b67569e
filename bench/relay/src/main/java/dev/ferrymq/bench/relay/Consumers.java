package dev.ferrymq.bench.relay;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Every consumer of every connection; publishes go to them in turn, whatever queue they name. */
final class Consumers {
    private final List<RelayConnection.Consumer> all = new CopyOnWriteArrayList<>();
    private final AtomicInteger next = new AtomicInteger();

    void add(RelayConnection.Consumer consumer) {
        all.add(consumer);
    }

    void removeAll(RelayConnection connection) {
        all.removeIf(c -> c.connection() == connection);
    }

    /** The next consumer, or null when there is none (the publish is dropped). */
    RelayConnection.Consumer next() {
        List<RelayConnection.Consumer> snapshot = all;
        int n = snapshot.size();
        if (n == 0) {
            return null;
        }
        try {
            return snapshot.get(Math.floorMod(next.getAndIncrement(), n));
        } catch (IndexOutOfBoundsException e) {
            return null; // removed meanwhile
        }
    }
}
