package dev.ferrymq.server.amqp.channel;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The prefetch windows of one channel, with RabbitMQ's basic.qos rules: {@code global=false} bounds each consumer
 * created afterwards ({@link ChannelConsumer} counts its own deliveries), {@code global=true} bounds the channel's
 * consumers together; both may apply at once. A delivery in flight (reserved by a queue, not yet settled) holds
 * one unit of its consumer's window and one of the channel's; no-ack deliveries hold none.
 *
 * <p>Threads: {@link #reserve} runs on the dispatching queue's thread (atomics only); everything else on the
 * channel's event loop.
 */
final class ChannelCredit {
    private int consumerPrefetch;
    private volatile int channelPrefetch;
    /** Deliveries of this channel's consumers in flight; bounded by {@code channelPrefetch} when non-zero. */
    private final AtomicInteger channelInFlight = new AtomicInteger();
    /** Credit came back (or the window grew) since the queues were last asked to dispatch. */
    private boolean returned;

    /** basic.qos (prefetch_count only). */
    void qos(int prefetchCount, boolean global) {
        if (global) {
            channelPrefetch = prefetchCount;
        } else {
            consumerPrefetch = prefetchCount;
        }
        returned = true; // a larger window may let waiting messages through
    }

    /** The per-consumer window for consumers created now. */
    int consumerPrefetch() {
        return consumerPrefetch;
    }

    int channelPrefetch() {
        return channelPrefetch;
    }

    /** Takes one unit of the consumer's window and of the channel's, or neither. Any thread. */
    boolean reserve(ChannelConsumer consumer) {
        if (!consumer.takeCredit()) {
            return false;
        }
        int limit = channelPrefetch;
        if (limit == 0) {
            channelInFlight.incrementAndGet();
            return true;
        }
        while (true) {
            int current = channelInFlight.get();
            if (current >= limit) {
                consumer.returnCredit();
                return false;
            }
            if (channelInFlight.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    /** A delivery of {@code consumer} was settled (or recovered): its credit comes back. */
    void release(ChannelConsumer consumer) {
        consumer.returnCredit();
        channelInFlight.decrementAndGet();
        returned = true;
    }

    /** Whether credit came back since the last call; clears the flag. */
    boolean takeReturned() {
        boolean was = returned;
        returned = false;
        return was;
    }
}
