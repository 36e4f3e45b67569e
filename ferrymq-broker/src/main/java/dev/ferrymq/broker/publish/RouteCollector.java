package dev.ferrymq.broker.publish;

import dev.ferrymq.broker.Exchange;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.routing.Destination;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** Gathers one routing's results: queues once each, and exchanges still to route through. Not thread-safe. */
final class RouteCollector implements Consumer<Destination> {
    private static final int LINEAR_SCAN_LIMIT = 16;
    final List<Queue> queues = new ArrayList<>(4);
    private Set<Queue> queueSet;
    List<Exchange> hops;

    @Override
    public void accept(Destination destination) {
        if (destination instanceof Queue queue) {
            addQueue(queue);
        } else if (destination instanceof Exchange exchange) {
            if (hops == null) {
                hops = new ArrayList<>();
            }
            hops.add(exchange);
        }
    }

    /** A list scan for the usual handful of queues; a set once there are many. */
    void addQueue(Queue queue) {
        if (queueSet == null && queues.size() < LINEAR_SCAN_LIMIT) {
            if (!queues.contains(queue)) {
                queues.add(queue);
            }
            return;
        }
        if (queueSet == null) {
            queueSet = Collections.newSetFromMap(new IdentityHashMap<>());
            queueSet.addAll(queues);
        }
        if (queueSet.add(queue)) {
            queues.add(queue);
        }
    }
}
