package dev.ferrymq.broker.queue;

import dev.ferrymq.broker.BrokerException;

import java.util.Map;
import java.util.Set;

/**
 * The queue arguments FerryMQ acts on, parsed and checked once at declaration, with RabbitMQ's rules. A
 * RabbitMQ argument FerryMQ does not implement is refused with 406 rather than silently ignored; arguments
 * RabbitMQ does not know either are kept and ignored, as RabbitMQ does. Immutable.
 *
 * @param messageTtl           {@code x-message-ttl} in ms, or -1
 * @param expires              {@code x-expires}: ms unused before the queue is deleted, or -1
 * @param maxLength            {@code x-max-length}, or -1
 * @param maxLengthBytes       {@code x-max-length-bytes} (bodies only, as RabbitMQ counts), or -1
 * @param overflow             {@code x-overflow}
 * @param deadLetterExchange   {@code x-dead-letter-exchange}, or null
 * @param deadLetterRoutingKey {@code x-dead-letter-routing-key}, or null to keep the message's routing keys
 * @param maxPriority          {@code x-max-priority} (1–255), or 0 for a plain FIFO queue
 * @param singleActiveConsumer {@code x-single-active-consumer}
 */
public record QueueArguments(long messageTtl, long expires, long maxLength, long maxLengthBytes, Overflow overflow,
                             String deadLetterExchange, String deadLetterRoutingKey, int maxPriority,
                             boolean singleActiveConsumer) {

    public static final QueueArguments NONE = new QueueArguments(-1, -1, -1, -1, Overflow.DROP_HEAD, null, null, 0,
            false);

    /** What happens to a publish that would take the queue over a length limit. */
    public enum Overflow {
        DROP_HEAD("drop-head"), REJECT_PUBLISH("reject-publish"), REJECT_PUBLISH_DLX("reject-publish-dlx");

        private final String value;

        Overflow(String value) {
            this.value = value;
        }

        static Overflow parse(String value) {
            for (Overflow o : values()) {
                if (o.value.equals(value)) {
                    return o;
                }
            }
            return null;
        }
    }

    /** RabbitMQ queue arguments that FerryMQ does not implement: declaring one is a 406, not a silent no-op. */
    private static final Set<String> UNSUPPORTED = Set.of("x-delivery-limit", "x-dead-letter-strategy",
            "x-max-age", "x-stream-max-segment-size-bytes", "x-stream-filter-size-bytes",
            "x-initial-cluster-size", "x-quorum-initial-group-size", "x-quorum-target-group-size",
            "x-max-in-memory-length", "x-max-in-memory-bytes");

    /** Parses {@code args} (null = none); throws 406 PRECONDITION_FAILED naming the argument when invalid. */
    public static QueueArguments parse(Map<String, Object> args, String queueDescription) {
        if (args == null || args.isEmpty()) {
            return NONE;
        }
        Parser p = new Parser(args, queueDescription);
        for (String key : args.keySet()) {
            if (UNSUPPORTED.contains(key)) {
                throw p.invalid(key, "not supported by FerryMQ");
            }
        }
        p.string(QueueTypes.ARGUMENT); // which type it selects is QueueTypes' business; it must be a string
        String queueMode = p.string("x-queue-mode");
        if (queueMode != null && !queueMode.equals("default") && !queueMode.equals("lazy")) {
            throw p.invalid("x-queue-mode", "must be 'default' or 'lazy'");
        }
        long ttl = p.nonNegative("x-message-ttl");
        long expires = p.nonNegative("x-expires");
        if (expires == 0) {
            throw p.invalid("x-expires", "must be positive");
        }
        long maxLength = p.nonNegative("x-max-length");
        long maxLengthBytes = p.nonNegative("x-max-length-bytes");
        String overflowValue = p.string("x-overflow");
        Overflow overflow = overflowValue == null ? Overflow.DROP_HEAD : Overflow.parse(overflowValue);
        if (overflow == null) {
            throw p.invalid("x-overflow", "must be 'drop-head', 'reject-publish' or 'reject-publish-dlx'");
        }
        String dlx = p.string("x-dead-letter-exchange");
        String dlrk = p.string("x-dead-letter-routing-key");
        if (dlrk != null && dlx == null) {
            throw p.invalid("x-dead-letter-routing-key", "requires x-dead-letter-exchange");
        }
        long maxPriority = p.nonNegative("x-max-priority");
        if (maxPriority > 255) {
            throw p.invalid("x-max-priority", "must be at most 255");
        }
        Object sac = args.get("x-single-active-consumer");
        if (sac != null && !(sac instanceof Boolean)) {
            throw p.invalid("x-single-active-consumer", "must be a boolean");
        }
        return new QueueArguments(ttl, expires, maxLength, maxLengthBytes, overflow, dlx, dlrk,
                (int) Math.max(maxPriority, 0), Boolean.TRUE.equals(sac));
    }

    public boolean hasLengthLimit() {
        return maxLength >= 0 || maxLengthBytes >= 0;
    }

    public boolean deadLetters() {
        return deadLetterExchange != null;
    }

    /** The 406 for an invalid argument, in RabbitMQ's words. */
    public static BrokerException invalid(Map<String, Object> args, String key, String queueDescription, String why) {
        return BrokerException.preconditionFailed("invalid arg '" + key + "' for " + queueDescription + ": "
                + why + " (got " + args.get(key) + ")");
    }

    /** A string argument (AMQP long strings arrive as bytes), or null when absent; 406 when not a string. */
    public static String string(Map<String, Object> args, String key, String queueDescription) {
        Object value = args.get(key);
        if (value == null) {
            return null;
        }
        if (value instanceof CharSequence s) {
            return s.toString();
        }
        if (value instanceof byte[] bytes) {
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        }
        throw invalid(args, key, queueDescription, "must be a string");
    }

    private record Parser(Map<String, Object> args, String queueDescription) {
        BrokerException invalid(String key, String why) {
            return QueueArguments.invalid(args, key, queueDescription, why);
        }

        String string(String key) {
            return QueueArguments.string(args, key, queueDescription);
        }

        /** A non-negative integer argument, or -1 when absent. */
        long nonNegative(String key) {
            Object value = args.get(key);
            if (value == null) {
                return -1;
            }
            if (!(value instanceof Byte || value instanceof Short || value instanceof Integer
                    || value instanceof Long)) {
                throw invalid(key, "must be an integer");
            }
            long n = ((Number) value).longValue();
            if (n < 0) {
                throw invalid(key, "must not be negative");
            }
            return n;
        }
    }
}
