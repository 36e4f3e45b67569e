package dev.ferrymq.server.amqp.channel;

import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.queue.QueueConsumer;
import dev.ferrymq.broker.queue.QueueEntry;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A basic.consume subscription of one AMQP channel. Queues call {@link #tryDeliver} from their dispatching
 * thread; the delivery itself is written later on the connection's event loop by {@link AmqpChannel}.
 */
final class ChannelConsumer implements QueueConsumer {
    private final AmqpChannel channel;
    private final String tag;
    private final Queue queue;
    private final boolean noAck;
    private final int prefetch;
    private final int priority;
    /** Deliveries not yet acknowledged; bounded by {@code prefetch} when that is non-zero. */
    private final AtomicInteger unacked = new AtomicInteger();

    /**
     * @param queue    the queue consumed from, or null for a direct reply-to consumer
     * @param priority the consumer priority ({@code x-priority})
     */
    ChannelConsumer(AmqpChannel channel, String tag, Queue queue, boolean noAck, int prefetch, int priority) {
        this.channel = channel;
        this.tag = tag;
        this.queue = queue;
        this.noAck = noAck;
        this.prefetch = prefetch;
        this.priority = priority;
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

    int prefetch() {
        return prefetch;
    }

    Queue queue() {
        return queue;
    }

    @Override
    public boolean tryDeliver(QueueEntry entry) {
        if (!channel.reserveCredit(this)) {
            return false;
        }
        // An auto-ack entry is settled (its store reference dropped) as soon as we return: take the message now.
        // Otherwise the event loop loads a paged-out message when it writes the delivery.
        channel.enqueueDelivery(this, entry, noAck ? entry.message() : entry.messageIfLoaded());
        return true;
    }

    @Override
    public void cancelledByServer(Queue deleted) {
        channel.cancelledByServer(this);
    }

    /** Takes one unit of this consumer's prefetch window, if open. */
    boolean takeCredit() {
        if (prefetch == 0) {
            unacked.incrementAndGet();
            return true;
        }
        while (true) {
            int current = unacked.get();
            if (current >= prefetch) {
                return false;
            }
            if (unacked.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    void returnCredit() {
        unacked.decrementAndGet();
    }
}
