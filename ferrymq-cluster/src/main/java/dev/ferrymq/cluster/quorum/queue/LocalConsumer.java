package dev.ferrymq.cluster.quorum.queue;

import dev.ferrymq.broker.queue.QueueConsumer;
import dev.ferrymq.cluster.quorum.ConsumerId;
import dev.ferrymq.cluster.quorum.QueueCommand;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One of this node's consumers of a quorum queue: the messages the replicated state checked out to it wait here
 * until the channel takes them (its prefetch window may still be shut when the delivery is applied). Thread-safe.
 */
final class LocalConsumer {
    final ConsumerId id;
    final QueueConsumer consumer;
    private final boolean exclusive;
    private final ArrayDeque<QuorumEntry> waiting = new ArrayDeque<>();
    private boolean closed;

    LocalConsumer(ConsumerId id, QueueConsumer consumer, boolean exclusive) {
        this.id = id;
        this.consumer = consumer;
        this.exclusive = exclusive;
    }

    /** The command that attaches this consumer to the replicated state. */
    QueueCommand.Checkout checkout() {
        return new QueueCommand.Checkout(id, consumer.prefetch(), consumer.priority(), exclusive);
    }

    /** Entries not yet handed to the channel were returned to the queue: they are not this consumer's now. */
    synchronized void forgetWaiting() {
        waiting.clear();
    }

    /** False when the consumer is closed: the caller gives the entry back to the queue. */
    synchronized boolean offer(QuorumEntry entry, Consumer<QuorumEntry> onAutoAck) {
        if (closed) {
            return false;
        }
        waiting.add(entry);
        drain(onAutoAck);
        return true;
    }

    /**
     * The channel cancelled the consumer: nothing more is handed over, and the ids of what the replicated state
     * checked out to it but the channel never received come back, for the queue to return. The channel returns
     * what it did receive (its unacked entries) itself; without this, the rest would stay checked out for good.
     */
    synchronized List<Long> close() {
        closed = true;
        List<Long> ids = new ArrayList<>(waiting.size());
        waiting.forEach(entry -> ids.add(entry.seq()));
        waiting.clear();
        return ids;
    }

    /** Hands waiting entries to the channel while it takes them; a no-ack consumer's entries settle at once. */
    synchronized void drain(Consumer<QuorumEntry> onAutoAck) {
        while (!waiting.isEmpty() && consumer.tryDeliver(waiting.peekFirst())) {
            QuorumEntry delivered = waiting.pollFirst();
            if (consumer.noAck()) {
                onAutoAck.accept(delivered);
            }
        }
    }
}
