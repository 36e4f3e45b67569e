package dev.ferrymq.broker.queue;

import dev.ferrymq.broker.DecodedProperties;
import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.PropertiesCodec;
import dev.ferrymq.broker.publish.SenderSelected;

import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A message leaving a queue for its dead-letter exchange, with the headers RabbitMQ writes: an {@code x-death}
 * array of tables (one per queue and reason, most recent first, with {@code count}), {@code x-first-death-*}
 * set once and {@code x-last-death-*} every time. A per-message expiration is moved to
 * {@code original-expiration} so the message does not expire again. Stateless.
 */
public final class DeadLetter {
    public static final String EXPIRED = "expired";
    public static final String REJECTED = "rejected";
    public static final String MAXLEN = "maxlen";

    private DeadLetter() {
    }

    /** The message as it is republished to {@code exchange} with {@code routingKey}. */
    public static Message of(Message message, String queueName, String reason, String exchange, String routingKey,
                      PropertiesCodec codec) {
        byte[] properties = message.properties();
        // Decoded here rather than trusted from the message: one recovered from disk knows no priority.
        DecodedProperties decoded = codec.decode(properties);
        Map<String, Object> headers = decoded.headers() == null ? new LinkedHashMap<>()
                : new LinkedHashMap<>(decoded.headers());
        String expiration = decoded.expiration();
        List<Object> deaths = new ArrayList<>();
        Map<String, Object> previous = null;
        if (headers.get("x-death") instanceof List<?> existing) {
            for (Object death : existing) {
                if (death instanceof Map<?, ?> table && previous == null && queueName.equals(text(table.get("queue")))
                        && reason.equals(text(table.get("reason")))) {
                    previous = castTable(table);
                } else {
                    deaths.add(death);
                }
            }
        }
        Map<String, Object> death;
        if (previous != null) {
            // As RabbitMQ 3.10 (update_x_death_header): a repeated death only counts up; the entry keeps the
            // time, exchange and routing keys of the first one.
            death = new LinkedHashMap<>(previous);
            death.put("count", previous.get("count") instanceof Number n ? n.longValue() + 1 : 1L);
        } else {
            death = firstDeath(message, queueName, reason, headers, expiration);
        }
        deaths.add(0, death);
        headers.put("x-death", deaths);
        headers.putIfAbsent("x-first-death-reason", reason);
        headers.putIfAbsent("x-first-death-queue", queueName);
        headers.putIfAbsent("x-first-death-exchange", message.exchange());
        headers.put("x-last-death-reason", reason);
        headers.put("x-last-death-queue", queueName);
        headers.put("x-last-death-exchange", message.exchange());
        if (routingKey != null) {
            headers.remove(SenderSelected.CC); // x-dead-letter-routing-key replaces every key (rabbit_dead_letter)
        }
        byte[] rewritten = codec.withHeaders(properties, headers, expiration != null);
        return new Message(exchange, routingKey != null ? routingKey : message.routingKey(), rewritten,
                message.body(), message.persistent(), Message.NEVER, decoded.priority());
    }

    private static Map<String, Object> firstDeath(Message message, String queueName, String reason,
                                                  Map<String, Object> headers, String expiration) {
        Map<String, Object> death = new LinkedHashMap<>();
        death.put("count", 1L);
        death.put("reason", reason);
        death.put("queue", queueName);
        death.put("time", new Date(System.currentTimeMillis() / 1000 * 1000));
        death.put("exchange", message.exchange());
        List<Object> routingKeys = new ArrayList<>();
        routingKeys.add(message.routingKey());
        routingKeys.addAll(SenderSelected.ccKeys(headers)); // BCC was stripped at publish, as in RabbitMQ
        death.put("routing-keys", routingKeys);
        if (expiration != null) {
            death.put("original-expiration", expiration);
        }
        return death;
    }

    /**
     * Whether delivering a dead letter to {@code target} would close a cycle that no consumer took part in:
     * the message died in {@code target} before and none of its deaths was a rejection. RabbitMQ drops such
     * messages for that queue instead of looping forever.
     */
    public static boolean cycles(Message deadLetter, Queue target, PropertiesCodec codec) {
        if (!(codec.headers(deadLetter.properties()).get("x-death") instanceof List<?> deaths)) {
            return false;
        }
        boolean seen = false;
        for (Object death : deaths) {
            if (death instanceof Map<?, ?> table) {
                if (REJECTED.equals(text(table.get("reason")))) {
                    return false;
                }
                seen |= target.name().equals(text(table.get("queue")));
            }
        }
        return seen;
    }

    private static String text(Object value) {
        if (value instanceof byte[] bytes) {
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        }
        return value == null ? null : value.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castTable(Map<?, ?> table) {
        return (Map<String, Object>) table;
    }
}
