package dev.ferrymq.broker.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The match criteria of one headers-exchange binding, compiled from its arguments at bind time.
 * <p>
 * RabbitMQ rules: "x-match" is "all" (also the fallback for a missing or unrecognised value),
 * "any", "all-with-x" or "any-with-x". The "x-match" argument itself never counts; other
 * arguments starting with "x-" count only for the *-with-x modes. A criterion with a null
 * (void) value matches on the presence of the header alone. With no criteria, "all" matches
 * every message and "any" none (RabbitMQ starts from all=true, any=false).
 * <p>
 * Immutable, thread-safe.
 */
final class HeadersMatcher {

    static final String X_MATCH = "x-match";

    private final boolean any;
    private final String[] keys;
    private final Object[] values; // null entry = void: presence test

    private HeadersMatcher(boolean any, String[] keys, Object[] values) {
        this.any = any;
        this.keys = keys;
        this.values = values;
    }

    static HeadersMatcher compile(Map<String, Object> arguments) {
        Object mode = arguments.get(X_MATCH);
        String m = mode instanceof CharSequence cs ? cs.toString() : "all";
        boolean any = m.equals("any") || m.equals("any-with-x");
        boolean withX = m.equals("all-with-x") || m.equals("any-with-x");
        List<String> keys = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        for (Map.Entry<String, Object> e : arguments.entrySet()) {
            String key = e.getKey();
            if (key.equals(X_MATCH) || (!withX && key.startsWith("x-"))) {
                continue;
            }
            keys.add(key);
            values.add(e.getValue());
        }
        return new HeadersMatcher(any, keys.toArray(new String[0]), values.toArray());
    }

    /** Whether the result depends on the message headers at all (else: constant, see {@link #matches}). */
    boolean needsHeaders() {
        return keys.length > 0;
    }

    /** @param headers the message headers; null = none */
    boolean matches(Map<String, Object> headers) {
        if (keys.length == 0) {
            return !any;
        }
        if (headers == null || headers.isEmpty()) {
            return false; // every criterion needs a header to be present, in both modes
        }
        for (int i = 0; i < keys.length; i++) {
            boolean hit = criterionHolds(headers, keys[i], values[i]);
            if (any && hit) {
                return true;
            }
            if (!any && !hit) {
                return false;
            }
        }
        return !any;
    }

    private static boolean criterionHolds(Map<String, Object> headers, String key, Object expected) {
        if (expected == null) {
            return headers.containsKey(key);
        }
        Object actual = headers.get(key);
        // A header present with a void value never equals a non-void criterion.
        return actual != null && HeaderValues.matches(expected, actual);
    }
}
