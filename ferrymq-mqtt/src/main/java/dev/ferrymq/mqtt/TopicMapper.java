package dev.ferrymq.mqtt;

/**
 * MQTT topic names and filters ↔ AMQP topic routing keys, as RabbitMQ's MQTT plugin maps them: the level
 * separators swap ({@code /} ↔ {@code .}, so a dot inside an MQTT level stays inside its level), and in filters the
 * single-level wildcard {@code +} ↔ {@code *}; {@code #} is the same in both.
 * <pre>
 *   MQTT  sensors/+/temperature   →  AMQP  sensors.*.temperature
 *   MQTT  v1.2/status             →  AMQP  v1/2.status
 * </pre>
 * Stateless.
 */
public final class TopicMapper {
    private TopicMapper() {
    }

    /** The routing key a message published to {@code topic} is routed with. */
    public static String toRoutingKey(String topic) {
        return swapSeparators(topic, '+', '*');
    }

    /** The binding key of a subscription to {@code filter}. */
    public static String toBindingKey(String filter) {
        return swapSeparators(filter, '+', '*');
    }

    /** The MQTT topic a message routed with {@code routingKey} is delivered under. */
    public static String toTopic(String routingKey) {
        return swapSeparators(routingKey, '*', '+');
    }

    private static String swapSeparators(String value, char wildcard, char replacement) {
        char[] chars = value.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            char c = chars[i];
            chars[i] = c == '/' ? '.' : c == '.' ? '/' : c == wildcard ? replacement : c;
        }
        return new String(chars);
    }
}
