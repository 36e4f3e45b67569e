package dev.ferrymq.broker.routing;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Value equality for headers-exchange matching, mimicking RabbitMQ, which compares the
 * decoded field values with Erlang's {@code ==} and ignores the AMQP field type at top level:
 * integral types compare by value (1 as byte == 1 as long), integers and floats compare
 * numerically (Erlang: 1 == 1.0), a timestamp equals the integer of its epoch seconds,
 * strings and byte arrays compare by bytes. Decimals compare by scale and unscaled value
 * (BigDecimal.equals). Nested arrays/tables in Erlang keep their type tags, so inside
 * List/Map values only content-equality of byte[] and CharSequence is relaxed.
 * Stateless, thread-safe.
 */
final class HeaderValues {

    private HeaderValues() {
    }

    static boolean matches(Object bound, Object actual) {
        if (bound == actual) {
            return true;
        }
        if (bound == null || actual == null) {
            return false;
        }
        Long boundInt = integral(bound);
        Long actualInt = integral(actual);
        if (boundInt != null && actualInt != null) {
            return boundInt.longValue() == actualInt.longValue();
        }
        if (isFloating(bound) || isFloating(actual)) {
            Double a = numeric(bound);
            Double b = numeric(actual);
            return a != null && b != null && a.doubleValue() == b.doubleValue();
        }
        return nestedEquals(bound, actual);
    }

    /** Equality for values nested in arrays/tables, where Erlang compares type tags too. */
    private static boolean nestedEquals(Object a, Object b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (a instanceof CharSequence && b instanceof CharSequence) {
            return a.toString().equals(b.toString());
        }
        byte[] aBytes = bytes(a);
        byte[] bBytes = bytes(b);
        if (aBytes != null && bBytes != null) {
            return Arrays.equals(aBytes, bBytes);
        }
        if (a instanceof List<?> la && b instanceof List<?> lb) {
            if (la.size() != lb.size()) {
                return false;
            }
            Iterator<?> ia = la.iterator();
            Iterator<?> ib = lb.iterator();
            while (ia.hasNext()) {
                if (!nestedEquals(ia.next(), ib.next())) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Map<?, ?> ma && b instanceof Map<?, ?> mb) {
            if (ma.size() != mb.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : ma.entrySet()) {
                if (!mb.containsKey(e.getKey()) || !nestedEquals(e.getValue(), mb.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        return Objects.equals(a, b);
    }

    /** Byte/Short/Integer/Long value, or a Date as epoch seconds (AMQP timestamps are seconds). */
    private static Long integral(Object v) {
        if (v instanceof Byte || v instanceof Short || v instanceof Integer || v instanceof Long) {
            return ((Number) v).longValue();
        }
        if (v instanceof Date d) {
            return Math.floorDiv(d.getTime(), 1000L);
        }
        return null;
    }

    private static boolean isFloating(Object v) {
        return v instanceof Float || v instanceof Double;
    }

    private static Double numeric(Object v) {
        if (isFloating(v)) {
            return ((Number) v).doubleValue();
        }
        Long l = integral(v);
        return l == null ? null : l.doubleValue();
    }

    /** Strings and byte arrays are both binaries in Erlang: compare their bytes. */
    private static byte[] bytes(Object v) {
        if (v instanceof byte[] b) {
            return b;
        }
        if (v instanceof CharSequence cs) {
            return cs.toString().getBytes(StandardCharsets.UTF_8);
        }
        return null;
    }
}
