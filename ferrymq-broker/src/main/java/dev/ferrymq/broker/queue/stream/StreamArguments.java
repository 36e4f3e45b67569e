package dev.ferrymq.broker.queue.stream;

import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.broker.queue.QueueArguments;
import dev.ferrymq.broker.queue.QueueDeclaration;

import java.util.Map;
import java.util.Set;

/**
 * A stream's declaration, checked with RabbitMQ 3.10's rules: durable, neither exclusive nor auto-delete, and of
 * the queue arguments only the retention ones; the classic-queue arguments a stream cannot honour are refused.
 * Immutable.
 *
 * @param maxLengthBytes  {@code x-max-length-bytes}: retention by size, or -1 for none
 * @param maxAgeMillis    {@code x-max-age}: retention by age, or -1 for none
 * @param segmentSize     {@code x-stream-max-segment-size-bytes}, clamped to what the store accepts
 */
record StreamArguments(long maxLengthBytes, long maxAgeMillis, long segmentSize) {
    /** RabbitMQ's default segment size (500 MB). */
    static final long DEFAULT_SEGMENT_SIZE = 500_000_000L;
    static final long MIN_SEGMENT_SIZE = 1024;

    /** Queue arguments of other queue types: a stream declared with one is a 406, as in RabbitMQ. */
    private static final Set<String> NOT_FOR_STREAMS = Set.of("x-max-length", "x-message-ttl", "x-expires",
            "x-overflow", "x-dead-letter-exchange", "x-dead-letter-routing-key", "x-max-priority",
            "x-single-active-consumer", "x-queue-mode", "x-delivery-limit", "x-dead-letter-strategy",
            "x-max-in-memory-length", "x-max-in-memory-bytes", "x-queue-master-locator", "x-queue-version");

    static StreamArguments check(QueueDeclaration declaration, String queueDescription) {
        // RabbitMQ's order when several apply
        if (declaration.autoDelete()) {
            throw invalidProperty("auto-delete", queueDescription);
        }
        if (declaration.exclusive()) {
            throw invalidProperty("exclusive-owner", queueDescription);
        }
        if (!declaration.durable()) {
            throw invalidProperty("non-durable", queueDescription);
        }
        Map<String, Object> args = declaration.arguments() == null ? Map.of() : declaration.arguments();
        for (String key : args.keySet()) {
            if (NOT_FOR_STREAMS.contains(key)) {
                throw BrokerException.preconditionFailed("invalid arg '" + key + "' for " + queueDescription
                        + " of queue type rabbit_stream_queue");
            }
        }
        long maxLengthBytes = nonNegative(args, "x-max-length-bytes", queueDescription);
        long segmentSize = nonNegative(args, "x-stream-max-segment-size-bytes", queueDescription);
        segmentSize = segmentSize < 0 ? DEFAULT_SEGMENT_SIZE
                : Math.min(Math.max(segmentSize, MIN_SEGMENT_SIZE), Integer.MAX_VALUE);
        long maxAge = -1;
        if (args.get("x-max-age") != null) {
            String text = QueueArguments.string(args, "x-max-age", queueDescription);
            maxAge = Durations.parseMillis(text);
            if (maxAge < 0) {
                throw QueueArguments.invalid(args, "x-max-age", queueDescription,
                        "invalid max age: a positive number and a unit (Y, M, D, h, m, s), e.g. 7D");
            }
        }
        return new StreamArguments(maxLengthBytes, maxAge, segmentSize);
    }

    private static BrokerException invalidProperty(String property, String queueDescription) {
        return BrokerException.preconditionFailed("invalid property '" + property + "' for " + queueDescription);
    }

    /** A non-negative integer argument, or -1 when absent. */
    private static long nonNegative(Map<String, Object> args, String key, String queueDescription) {
        Object value = args.get(key);
        if (value == null) {
            return -1;
        }
        if (!(value instanceof Byte || value instanceof Short || value instanceof Integer || value instanceof Long)) {
            throw QueueArguments.invalid(args, key, queueDescription, "must be an integer");
        }
        long n = ((Number) value).longValue();
        if (n < 0) {
            throw QueueArguments.invalid(args, key, queueDescription, "must not be negative");
        }
        return n;
    }
}
