package dev.ferrymq.broker.publish;

import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.PropertiesCodec;
import dev.ferrymq.broker.routing.FieldTypes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RabbitMQ's sender-selected distribution: a message whose headers carry {@code CC} and/or {@code BCC} arrays is
 * routed with the publish routing key and with each string in them (by every exchange that routes on keys, the
 * default exchange included, and on through exchange-to-exchange bindings and alternate exchanges); a queue
 * reached by several keys gets it once. {@code BCC} is removed from the message before it is stored, delivered or
 * returned; {@code CC} stays. As in {@code rabbit_basic:header_routes}, only string elements count, and a CC or BCC
 * header that is not an array makes the message invalid (406, at publish, inside a transaction too).
 *
 * <p>{@link Publisher#prepare} calls {@link #accept} once per published message; the {@link MessageRouter} then
 * routes by the keys read from the headers as published. Stateless.
 */
public final class SenderSelected {
    public static final String CC = "CC";
    static final String BCC = "BCC";

    private SenderSelected() {
    }

    /**
     * The extra routing keys: the string elements of CC, then of BCC; empty (and allocation-free) when the
     * message has neither header.
     *
     * @throws BrokerException 406 when CC or BCC is present but not an array
     */
    static List<String> keys(Map<String, Object> headers) {
        if (headers == null || headers.isEmpty() || !(headers.containsKey(CC) || headers.containsKey(BCC))) {
            return List.of();
        }
        List<String> keys = new ArrayList<>();
        addKeys(keys, headers, CC);
        addKeys(keys, headers, BCC);
        return keys;
    }

    /** Like {@link #keys} but ignores a malformed header (for messages already accepted, e.g. dead letters). */
    static List<String> keysOrNone(Map<String, Object> headers) {
        try {
            return keys(headers);
        } catch (BrokerException e) {
            return List.of();
        }
    }

    /** The string elements of CC alone (the routing keys an {@code x-death} entry records besides the key). */
    public static List<String> ccKeys(Map<String, Object> headers) {
        List<String> keys = new ArrayList<>();
        if (headers.get(CC) instanceof List<?> values) {
            for (Object value : values) {
                if (value instanceof String key) {
                    keys.add(key);
                }
            }
        }
        return keys;
    }

    /**
     * Checks a published message's CC and BCC headers and returns it without BCC (properties re-encoded by
     * {@code codec}), or itself when it has no BCC: the common case costs a null check or a map lookup.
     *
     * @param headers the message's headers as published, or null when it has none
     * @throws BrokerException 406 when CC or BCC is present but not an array
     */
    static Message accept(Message message, Map<String, Object> headers, PropertiesCodec codec) {
        if (headers == null || headers.isEmpty()) {
            return message;
        }
        keys(headers); // validates
        if (!headers.containsKey(BCC)) {
            return message;
        }
        Map<String, Object> kept = new LinkedHashMap<>(headers);
        kept.remove(BCC);
        return message.withProperties(codec.withHeaders(message.properties(), kept, false));
    }

    private static void addKeys(List<String> keys, Map<String, Object> headers, String header) {
        if (!headers.containsKey(header)) {
            return;
        }
        Object value = headers.get(header);
        if (!(value instanceof List<?> values)) {
            throw BrokerException.preconditionFailed("invalid message: {unacceptable_type_in_header,\"" + header
                    + "\"," + FieldTypes.amqpTypeName(value) + "}");
        }
        for (Object element : values) {
            if (element instanceof String key) {
                keys.add(key);
            }
        }
    }
}
