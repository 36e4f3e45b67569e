package dev.ferrymq.broker;

import java.util.concurrent.atomic.LongAdder;

/**
 * Monotonic message counters, as RabbitMQ's message_stats report them: kept for the broker as a whole and for each
 * queue, read by the management API and metrics, which turn them into rates. LongAdders, so counting on the hot
 * path costs no contention. Thread-safe.
 */
public final class MessageCounters {
    /** Messages published by clients (broker-wide) or enqueued (per queue). */
    public final LongAdder published = new LongAdder();
    /** Messages handed to consumers or basic.get, with or without ack. */
    public final LongAdder delivered = new LongAdder();
    /** Deliveries that were redeliveries. */
    public final LongAdder redelivered = new LongAdder();
    /** Deliveries acknowledged by the client. */
    public final LongAdder acked = new LongAdder();
    /** Publisher confirms sent (broker-wide only). */
    public final LongAdder confirmed = new LongAdder();
    /** Published messages that reached no queue (broker-wide only). */
    public final LongAdder unroutable = new LongAdder();
}
