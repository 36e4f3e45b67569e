package dev.ferrymq.server.management;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Sorts API list items as RabbitMQ's {@code rabbit_mgmt_util:sort_list} does: by the requested field (a dotted
 * path) and then by {@code vhost} and {@code name}, comparing values in Erlang's term order, which puts numbers
 * first, then atoms (true, false, null), then objects, then lists, then strings (compared byte-wise as UTF-8). A
 * missing field counts as the number 0. Each item's key is computed once, so sorting 10,000 queues is cheap.
 * Immutable.
 */
final class SortKeys {
    private static final List<String> DEFAULT_SORT = List.of("vhost", "name");

    private final List<String[]> paths = new ArrayList<>();

    /** The keys for a {@code sort} parameter (null or empty: just the default vhost, name). */
    SortKeys(String sort) {
        if (sort != null && !sort.isEmpty()) {
            paths.add(path(sort));
        }
        for (String field : DEFAULT_SORT) {
            if (!field.equals(sort)) {
                paths.add(path(field));
            }
        }
    }

    private static String[] path(String dotted) {
        return java.util.Arrays.stream(dotted.split("\\.")).filter(s -> !s.isEmpty()).toArray(String[]::new);
    }

    /** Whether every key is one of these fields (or inside one). */
    boolean within(List<String> fields) {
        return paths.stream().allMatch(path -> path.length > 0 && fields.contains(path[0]));
    }

    /** The items sorted by the fields of their JSON {@code view} (stable: equal keys keep their order). */
    <T> List<T> sort(List<T> items, Function<T, ?> view, boolean reverse) {
        record Keyed<T>(Object[] key, T item) {
        }
        List<Keyed<T>> keyed = new ArrayList<>(items.size());
        for (T item : items) {
            Object json = view.apply(item);
            Object[] key = new Object[paths.size()];
            for (int i = 0; i < key.length; i++) {
                key[i] = value(json, paths.get(i));
            }
            keyed.add(new Keyed<>(key, item));
        }
        Comparator<Keyed<T>> order = (a, b) -> compareKeys(a.key(), b.key());
        keyed.sort(reverse ? order.reversed() : order);
        List<T> out = new ArrayList<>(keyed.size());
        keyed.forEach(k -> out.add(k.item()));
        return out;
    }

    private static Object value(Object item, String[] path) {
        Object value = item;
        for (String field : path) {
            if (!(value instanceof Map<?, ?> map) || !map.containsKey(field)) {
                return 0;
            }
            value = map.get(field);
        }
        return value;
    }

    private static int compareKeys(Object[] a, Object[] b) {
        for (int i = 0; i < a.length; i++) {
            int c = compare(a[i], b[i]);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    static int compare(Object a, Object b) {
        int rank = Integer.compare(rank(a), rank(b));
        if (rank != 0) {
            return rank;
        }
        if (a instanceof Number x && b instanceof Number y) {
            return integral(x) && integral(y) ? Long.compare(x.longValue(), y.longValue())
                    : decimal(x).compareTo(decimal(y));
        }
        if (a instanceof CharSequence || a == null || a instanceof Boolean) {
            return compareCodePoints(atomOrString(a), atomOrString(b));
        }
        return 0; // objects and lists: not worth ordering
    }

    /** Erlang's term order: number < atom < map < list < binary. */
    private static int rank(Object v) {
        if (v instanceof Number) {
            return 0;
        }
        if (v == null || v instanceof Boolean) {
            return 1;
        }
        if (v instanceof Map<?, ?>) {
            return 2;
        }
        if (v instanceof List<?>) {
            return 3;
        }
        return 4;
    }

    private static String atomOrString(Object v) {
        return v == null ? "null" : v.toString();
    }

    private static boolean integral(Number n) {
        return n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte;
    }

    private static BigDecimal decimal(Number n) {
        if (n instanceof BigDecimal d) {
            return d;
        }
        if (n instanceof BigInteger i) {
            return new BigDecimal(i);
        }
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            return Double.isFinite(d) ? BigDecimal.valueOf(d) : BigDecimal.ZERO;
        }
        return BigDecimal.valueOf(n.longValue());
    }

    /** Code point order, which is the byte order of the UTF-8 encodings RabbitMQ compares. */
    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) {
                return Integer.compare(x, y);
            }
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
