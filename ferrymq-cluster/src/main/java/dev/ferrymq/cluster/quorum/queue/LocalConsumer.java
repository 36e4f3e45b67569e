package dev.ferrymq.cluster.quorum.queue;

import dev.ferrymq.broker.queue.QueueConsumer;
import dev.ferrymq.cluster.quorum.ConsumerId;
import dev.ferrymq.cluster.quorum.QueueCommand;

import java.util.ArrayDeque;
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

    synchronized void offer(QuorumEntry entry, Consumer<QuorumEntry> onAutoAck) {
        waiting.add(entry);
        drain(onAutoAck);
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
