package dev.ferrymq.server.management;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JSON helpers: one shared mapper (thread-safe once configured) and builders for ordered objects. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private Json() {
    }

    /** An ordered JSON object from alternating keys and values. */
    static Map<String, Object> obj(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    /** A RabbitMQ rate detail object: {"rate": r}. */
    static Map<String, Object> rate(double perSecond) {
        return obj("rate", Math.round(perSecond * 10) / 10.0);
    }

    /** AMQP table values as JSON: byte arrays (long strings) become text, nested tables and lists recursively. */
    static Object fromAmqp(Object value) {
        if (value instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), fromAmqp(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(v -> out.add(fromAmqp(v)));
            return out;
        }
        return value;
    }

    /** A JSON object as AMQP arguments: integers as int or long, decimals as double, as RabbitMQ reads them. */
    static Map<String, Object> toAmqpTable(JsonNode node) {
        Map<String, Object> table = new LinkedHashMap<>();
        if (node == null || !node.isObject()) {
            return table;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            table.put(field.getKey(), toAmqp(field.getValue()));
        }
        return table;
    }

    private static Object toAmqp(JsonNode value) {
        if (value.isInt()) {
            return value.intValue();
        }
        if (value.isIntegralNumber()) {
            return value.longValue();
        }
        if (value.isNumber()) {
            return value.doubleValue();
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isObject()) {
            return toAmqpTable(value);
        }
        if (value.isArray()) {
            List<Object> list = new ArrayList<>();
            value.forEach(v -> list.add(toAmqp(v)));
            return list;
        }
        if (value.isNull()) {
            return null;
        }
        return value.asText();
    }

    static String text(JsonNode node, String field, String fallback) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? fallback : value.asText();
    }

    static boolean bool(JsonNode node, String field, boolean fallback) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        return value.isBoolean() ? value.booleanValue() : Boolean.parseBoolean(value.asText());
    }

    /** Tags given as a JSON array or as RabbitMQ's comma-separated string. */
    static List<String> tags(JsonNode node) {
        List<String> tags = new ArrayList<>();
        if (node == null || node.isNull()) {
            return tags;
        }
        if (node.isArray()) {
            node.forEach(t -> tags.add(t.asText().trim()));
        } else {
            for (String tag : node.asText().split(",")) {
                tags.add(tag.trim());
            }
        }
        tags.removeIf(String::isEmpty);
        return tags;
    }
}
