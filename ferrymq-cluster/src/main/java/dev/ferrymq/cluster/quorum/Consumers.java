package dev.ferrymq.cluster.quorum;

import dev.ferrymq.cluster.quorum.ConsumerState.Status;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The queue's consumers in arrival (log) order, and the choice of who gets the next message. Iteration order
 * is part of the replicated state (the snapshot keeps it), so every replica picks the same consumer.
 * Not thread-safe: owned by {@link QuorumQueueState}.
 */
final class Consumers {
    private final LinkedHashMap<ConsumerId, ConsumerState> byId = new LinkedHashMap<>();

    ConsumerState get(ConsumerId id) {
        return byId.get(id);
    }

    void add(ConsumerState consumer) {
        byId.put(consumer.id(), consumer);
    }

    void remove(ConsumerId id) {
        byId.remove(id);
    }

    Collection<ConsumerState> all() {
        return byId.values();
    }

    int size() {
        return byId.size();
    }

    /**
     * Who receives the next message: among active consumers with credit, the highest priority (lower
     * priorities only get messages while every higher one is full, RabbitMQ's consumer priorities), then the
     * least recently served (round robin), then the earliest registered.
     */
    ConsumerState nextWithCredit() {
        ConsumerState best = null;
        for (ConsumerState c : byId.values()) {
            if (!c.hasCredit()) {
                continue;
            }
            if (best == null || c.priority() > best.priority()
                    || (c.priority() == best.priority() && c.lastServed() < best.lastServed())) {
                best = c;
            }
        }
        return best;
    }

    /** True when a consumer may still receive (not cancelled): exclusive consume is refused then. */
    boolean hasLiveConsumer() {
        return byId.values().stream().anyMatch(c -> c.status() != Status.CANCELLED);
    }

    boolean hasLiveExclusive() {
        return byId.values().stream().anyMatch(c -> c.exclusive() && c.status() != Status.CANCELLED);
    }

    boolean hasActive() {
        return byId.values().stream().anyMatch(c -> c.status() == Status.ACTIVE);
    }

    /** Single active consumer: the waiting consumer to promote, highest priority first, then earliest. */
    ConsumerState nextWaiting() {
        ConsumerState best = null;
        for (ConsumerState c : byId.values()) {
            if (c.status() == Status.WAITING && (best == null || c.priority() > best.priority())) {
                best = c;
            }
        }
        return best;
    }

    List<ConsumerState> onNode(String node) {
        List<ConsumerState> found = new ArrayList<>();
        for (ConsumerState c : byId.values()) {
            if (c.id().isOn(node)) {
                found.add(c);
            }
        }
        return found;
    }
}
