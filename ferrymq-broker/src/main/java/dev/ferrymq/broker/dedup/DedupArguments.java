package dev.ferrymq.broker.dedup;

import dev.ferrymq.broker.BrokerException;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The deduplication exchange's arguments, checked as rabbitmq-message-deduplication checks them (same texts):
 * {@code x-cache-size} (required, integer > 0, or a string of one), {@code x-cache-ttl} (optional, ms > 0) and
 * {@code x-cache-persistence} ({@code disk} or {@code memory}).
 *
 * @param size        the cache's entries at most
 * @param ttl         how long an identity is remembered, in ms, or 0 for as long as it stays in the cache
 * @param persistence the {@code x-cache-persistence} argument, or null if absent
 */
record DedupArguments(int size, long ttl, String persistence) {
    static final String SIZE = "x-cache-size";
    static final String TTL = "x-cache-ttl";
    static final String PERSISTENCE = "x-cache-persistence";

    static DedupArguments parse(Map<String, Object> arguments) {
        long size = positive(arguments.get(SIZE));
        if (size <= 0) {
            throw BrokerException.preconditionFailed(
                    "Missing or invalid argument, 'x-cache-size' must be an integer greater than 0");
        }
        long ttl = 0;
        if (arguments.containsKey(TTL)) {
            ttl = positive(arguments.get(TTL));
            if (ttl <= 0) {
                throw BrokerException.preconditionFailed(
                        "Invalid argument, 'x-cache-ttl' must be an integer greater than 0");
            }
        }
        String persistence = null;
        if (arguments.containsKey(PERSISTENCE)) {
            persistence = text(arguments.get(PERSISTENCE));
            if (!"disk".equals(persistence) && !"memory".equals(persistence)) {
                throw BrokerException.preconditionFailed(
                        "Invalid argument, 'x-cache-persistence' must be either 'disk' or 'memory'");
            }
        }
        return new DedupArguments((int) Math.min(size, Integer.MAX_VALUE), ttl, persistence);
    }

    /** An integer value (or a string of one) if positive, else 0. */
    static long positive(Object value) {
        if (value instanceof Byte || value instanceof Short || value instanceof Integer || value instanceof Long) {
            return Math.max(0, ((Number) value).longValue());
        }
        String text = text(value);
        if (text != null) {
            try {
                return Math.max(0, Long.parseLong(text.trim()));
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return 0;
    }

    private static String text(Object value) {
        return value instanceof byte[] b ? new String(b, StandardCharsets.UTF_8)
                : value instanceof CharSequence s ? s.toString() : null;
    }
}
