package dev.ferrymq.server.amqp.channel;

import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.queue.QueueConsumer;
import dev.ferrymq.broker.queue.QueueEntry;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A basic.consume subscription of one AMQP channel. Queues call {@link #tryDeliver} from their dispatching
 * thread; the delivery itself is written later on the connection's event loop by {@link DeliveryQueue}.
 */
final class ChannelConsumer implements QueueConsumer {
    private final DeliveryQueue deliveries;
    private final ChannelConsumers consumers;
    private final String tag;
    private final Queue queue;
    private final boolean noAck;
    private final int prefetch;
    private final int priority;
    private final Map<String, Object> arguments;
    /** Deliveries not yet acknowledged; bounded by {@code prefetch} when that is non-zero. */
    private final AtomicInteger unacked = new AtomicInteger();

    /**
     * @param queue     the queue consumed from, or null for a direct reply-to consumer
     * @param priority  the consumer priority ({@code x-priority})
     * @param arguments the basic.consume arguments, for the queue to read its own (null for none)
     */
    ChannelConsumer(DeliveryQueue deliveries, ChannelConsumers consumers, String tag, Queue queue, boolean noAck,
                    int prefetch, int priority, Map<String, Object> arguments) {
        this.deliveries = deliveries;
        this.consumers = consumers;
        this.tag = tag;
        this.queue = queue;
        this.noAck = noAck;
        this.prefetch = prefetch;
        this.priority = priority;
        this.arguments = arguments == null ? Map.of() : arguments;
    }

    @Override
    public Map<String, Object> arguments() {
        return arguments;
    }

    @Override
    public int priority() {
        return priority;
    }

    @Override
    public String tag() {
        return tag;
    }

    @Override
    public boolean noAck() {
        return noAck;
    }

    @Override
    public int prefetch() {
        return prefetch;
    }

    Queue queue() {
        return queue;
    }

    @Override
    public boolean tryDeliver(QueueEntry entry) {
        if (!deliveries.reserve(this)) {
            return false;
        }
        // An auto-ack entry is settled (its store reference dropped) as soon as we return: take the message now.
        // Otherwise the event loop loads a paged-out message when it writes the delivery.
        deliveries.enqueue(this, entry, noAck ? entry.message() : entry.messageIfLoaded());
        return true;
    }

    @Override
    public void cancelledByServer(Queue deleted) {
        consumers.cancelledByServer(this);
    }

    /**
     * Takes one unit of this consumer's prefetch window, if open. A queue offers a consumer its entries one at a
     * time, under the queue's lock, so this is the only thread that takes credit now; settling gives it back
     * concurrently, which can only make room. A plain check then increment is therefore enough, with no
     * compare-and-set loop.
     */
    boolean takeCredit() {
        if (prefetch != 0 && unacked.get() >= prefetch) {
            return false;
        }
        unacked.incrementAndGet();
        return true;
    }

    void returnCredit() {
        unacked.decrementAndGet();
    }

    /** Deliveries in flight to this consumer (reserved and not settled). */
    int inFlight() {
        return unacked.get();
    }
}
