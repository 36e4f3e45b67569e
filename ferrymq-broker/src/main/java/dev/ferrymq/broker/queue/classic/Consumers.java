package dev.ferrymq.broker.queue.classic;

import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.broker.queue.QueueConsumer;
import dev.ferrymq.broker.queue.QueueEntry;

import java.util.ArrayList;
import java.util.List;

/**
 * A queue's consumers (RabbitMQ's {@code rabbit_queue_consumers}): kept by descending consumer priority, equal
 * priorities in arrival order; an entry is offered to the highest priority group first, round-robin within a
 * group. A single-active-consumer queue offers only to its first consumer; an exclusive consumer
 * (basic.consume exclusive) keeps every other one out. Guarded by the owning queue's lock.
 */
final class Consumers {
    private final List<QueueConsumer> consumers = new ArrayList<>();
    private boolean exclusiveConsumer;
    private boolean hadConsumers;
    private int nextConsumer;
    private int noAckConsumers;

    /** Adds a consumer in priority order; 405 ACCESS_REFUSED when an exclusive consumer is in the way. */
    void add(QueueConsumer consumer, boolean exclusiveUse, String queueDescription) {
        if (exclusiveConsumer || (exclusiveUse && !consumers.isEmpty())) {
            throw BrokerException.accessRefused(queueDescription + " in exclusive use");
        }
        int at = 0;
        while (at < consumers.size() && consumers.get(at).priority() >= consumer.priority()) {
            at++;
        }
        consumers.add(at, consumer);
        exclusiveConsumer = exclusiveUse;
        hadConsumers = true;
        if (consumer.noAck()) {
            noAckConsumers++;
        }
    }

    /** Removes a consumer; false when it was not there. */
    boolean remove(QueueConsumer consumer) {
        if (!consumers.remove(consumer)) {
            return false;
        }
        exclusiveConsumer = false;
        if (consumer.noAck()) {
            noAckConsumers--;
        }
        return true;
    }

    /** Removes and returns every consumer. */
    List<QueueConsumer> removeAll() {
        List<QueueConsumer> all = new ArrayList<>(consumers);
        consumers.clear();
        exclusiveConsumer = false;
        noAckConsumers = 0;
        return all;
    }

    boolean isEmpty() {
        return consumers.isEmpty();
    }

    int size() {
        return consumers.size();
    }

    /** Whether the queue ever had a consumer (an auto-delete queue is deleted only after that). */
    boolean hadConsumers() {
        return hadConsumers;
    }

    /** Whether some consumer settles on delivery, and so must get its message in memory. */
    boolean anyNoAck() {
        return noAckConsumers > 0;
    }

    /** The first consumer (the active one of a single-active-consumer queue), or null. */
    QueueConsumer first() {
        return consumers.isEmpty() ? null : consumers.get(0);
    }

    /**
     * Offers {@code entry} priority group by priority group, round-robin within a group, and returns the consumer
     * that took it, or null when none could.
     */
    QueueConsumer offer(QueueEntry entry, boolean singleActive) {
        int count = singleActive ? Math.min(1, consumers.size()) : consumers.size();
        int groupStart = 0;
        while (groupStart < count) {
            int priority = consumers.get(groupStart).priority();
            int groupEnd = groupStart + 1;
            while (groupEnd < count && consumers.get(groupEnd).priority() == priority) {
                groupEnd++;
            }
            int size = groupEnd - groupStart;
            int start = nextConsumer >= groupStart && nextConsumer < groupEnd ? nextConsumer - groupStart : 0;
            for (int i = 0; i < size; i++) {
                int index = groupStart + (start + i) % size;
                QueueConsumer candidate = consumers.get(index);
                if (candidate.tryDeliver(entry)) {
                    nextConsumer = groupStart + (index - groupStart + 1) % size;
                    return candidate;
                }
            }
            groupStart = groupEnd;
        }
        return null;
    }
}
