package dev.ferrymq.server.management;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code columns} query parameter: a comma-separated list of fields, each a dotted path such as
 * {@code message_stats.publish_details.rate}, to keep in an answer (RabbitMQ's {@code rabbit_mgmt_util:columns}).
 * Kept as a tree: a field maps to {@link #ALL} (keep its whole value) or to the columns wanted inside it. Objects
 * keep only the wanted fields; lists apply the same columns to each element; other values are kept as they are.
 * Immutable.
 */
final class Columns {
    private static final Columns ALL = new Columns(Map.of());

    private final Map<String, Columns> wanted;

    private Columns(Map<String, Columns> wanted) {
        this.wanted = wanted;
    }

    /** The columns of a {@code columns} parameter, or null (keep everything) when it is absent. */
    static Columns parse(String parameter) {
        if (parameter == null) {
            return null;
        }
        List<List<String>> paths = new ArrayList<>();
        for (String column : parameter.split(",")) {
            List<String> path = new ArrayList<>();
            for (String field : column.split("\\.")) {
                if (!field.isEmpty()) { // as Erlang's string:tokens: empty tokens vanish
                    path.add(field);
                }
            }
            if (!path.isEmpty()) {
                paths.add(path);
            }
        }
        return of(paths);
    }

    private static Columns of(List<List<String>> paths) {
        Map<String, List<List<String>>> byField = new LinkedHashMap<>();
        for (List<String> path : paths) {
            byField.computeIfAbsent(path.get(0), f -> new ArrayList<>()).add(path.subList(1, path.size()));
        }
        Map<String, Columns> wanted = new HashMap<>();
        byField.forEach((field, rests) -> wanted.put(field,
                rests.stream().anyMatch(List::isEmpty) ? ALL : of(rests)));
        return new Columns(wanted);
    }

    /** The value with only the wanted columns; the value itself when everything is wanted. */
    Object extract(Object value) {
        if (this == ALL) {
            return value;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((key, v) -> {
                Columns inner = wanted.get(String.valueOf(key));
                if (inner != null) {
                    out.put(String.valueOf(key), inner.extract(v));
                }
            });
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(element -> out.add(extract(element)));
            return out;
        }
        return value;
    }
}
