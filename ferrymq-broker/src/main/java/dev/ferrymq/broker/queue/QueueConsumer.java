package dev.ferrymq.broker.queue;

import java.util.Map;

/**
 * The queue's view of a consumer (implemented by the transport). Calls come from whichever thread is
 * dispatching the queue, under the queue's lock, so implementations must be thread-safe and must never block.
 */
public interface QueueConsumer {

    String tag();

    /**
     * Automatic acknowledgement: the entry is settled as soon as {@link #tryDeliver} accepts it, so the consumer
     * must take {@link QueueEntry#message()} with it then, not later.
     */
    boolean noAck();

    /**
     * Takes the entry if the consumer can accept it now (prefetch window open, connection writable), and
     * returns false otherwise, in which case it must later call {@link Queue#dispatch()} when it can take more.
     */
    boolean tryDeliver(QueueEntry entry);

    /** Consumer priority ({@code x-priority}): higher-priority consumers are offered messages first. */
    default int priority() {
        return 0;
    }

    /** The consumer's basic.consume arguments (e.g. {@code x-stream-offset}); empty when none. */
    default Map<String, Object> arguments() {
        return Map.of();
    }

    /** Its own prefetch window (basic.qos without global), 0 for none. */
    default int prefetch() {
        return 0;
    }

    /** The queue went away (deleted); the consumer should tell its client (basic.cancel). */
    void cancelledByServer(Queue queue);
}
