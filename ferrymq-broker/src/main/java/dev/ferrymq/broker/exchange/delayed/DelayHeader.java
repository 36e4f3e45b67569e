package dev.ferrymq.broker.exchange.delayed;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The {@code x-delay} header as rabbitmq-delayed-message-exchange reads it: an integer number of milliseconds;
 * a string is parsed as an integer and a float truncated; anything else, a delay of zero or less, or one past
 * 2^32 - 1 ms (Erlang's timer limit) means "route now".
 */
public final class DelayHeader {
    public static final String NAME = "x-delay";
    /** The plugin's largest delay (Erlang's maximum timer). */
    public static final long MAX_DELAY = 4294967295L;
    /** No delay: route at once. */
    public static final long NONE = 0;

    private DelayHeader() {
    }

    /** The delay a message asks for, or {@link #NONE}. */
    public static long delay(Map<String, Object> headers) {
        if (headers == null) {
            return NONE;
        }
        long delay = millis(headers.get(NAME));
        return delay > 0 && delay <= MAX_DELAY ? delay : NONE;
    }

    /** The header's value as an integer, or 0 if it has none or is of another type. */
    static long millis(Object value) {
        if (value instanceof Byte || value instanceof Short || value instanceof Integer || value instanceof Long) {
            return ((Number) value).longValue();
        }
        if (value instanceof Float || value instanceof Double) {
            return (long) ((Number) value).doubleValue();
        }
        String text = value instanceof byte[] b ? new String(b, StandardCharsets.UTF_8)
                : value instanceof CharSequence s ? s.toString() : null;
        if (text != null) {
            try {
                return Long.parseLong(text.trim());
            } catch (NumberFormatException e) {
                return NONE;
            }
        }
        return NONE;
    }

    /**
     * The value the delivered message carries instead: minus the delay, as the plugin sets it, so that the message
     * is not delayed again by a delayed exchange further on and consumers can tell it was delayed.
     */
    static Object delivered(Object original) {
        long negated = -millis(original);
        return negated >= Integer.MIN_VALUE ? (Object) (int) negated : (Object) negated;
    }
}
