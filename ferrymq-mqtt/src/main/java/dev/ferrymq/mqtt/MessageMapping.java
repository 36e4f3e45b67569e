package dev.ferrymq.mqtt;

import dev.ferrymq.amqp.BasicProperties;
import dev.ferrymq.broker.DecodedProperties;
import dev.ferrymq.broker.Message;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttProperties.MqttProperty;
import io.netty.handler.codec.mqtt.MqttProperties.StringProperty;
import io.netty.handler.codec.mqtt.MqttProperties.UserProperties;
import io.netty.handler.codec.mqtt.MqttProperties.UserProperty;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * MQTT messages ↔ AMQP messages, as RabbitMQ's MQTT plugin maps them. An MQTT publish becomes a message with
 * delivery mode 2 (persistent) for QoS 1 and 2, else 1, and the headers {@code x-mqtt-publish-qos} and
 * {@code x-mqtt-dup}; MQTT 5 user properties become headers, the content type the content type, and the message
 * expiry interval the AMQP {@code expiration} (a per-message TTL). The other way, a delivery's QoS is the header's,
 * else 1 for a persistent message and 0 for a transient one, and string headers become MQTT 5 user properties.
 * Stateless.
 */
final class MessageMapping {
    static final String QOS_HEADER = "x-mqtt-publish-qos";
    static final String DUP_HEADER = "x-mqtt-dup";

    /** The AMQP properties of an MQTT publish, encoded (to route and keep) and as the publisher needs them. */
    record AmqpProperties(byte[] encoded, DecodedProperties decoded) {
    }

    private MessageMapping() {
    }

    /** @param mqtt5 the publish's MQTT 5 properties, or null before MQTT 5 */
    static AmqpProperties toAmqp(int qos, boolean dup, MqttProperties mqtt5) {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put(QOS_HEADER, (byte) qos);
        headers.put(DUP_HEADER, dup);
        String contentType = null;
        String expiration = null;
        if (mqtt5 != null) {
            for (MqttProperty<?> property : mqtt5.getProperties(MqttProperties.USER_PROPERTY)) {
                if (property instanceof UserProperty single) { // the decoder's form: one per pair
                    headers.put(single.value().key, single.value().value);
                } else if (property instanceof UserProperties several) {
                    several.value().forEach(pair -> headers.put(pair.key, pair.value));
                }
            }
            MqttProperty<?> type = mqtt5.getProperty(MqttProperties.CONTENT_TYPE);
            contentType = type == null ? null : (String) type.value();
            MqttProperty<?> expiry = mqtt5.getProperty(MqttProperties.PUBLICATION_EXPIRY_INTERVAL);
            expiration = expiry == null ? null : Long.toString(((Integer) expiry.value() & 0xFFFFFFFFL) * 1000);
        }
        boolean persistent = qos > 0;
        BasicProperties properties = new BasicProperties(contentType, null, headers, persistent ? 2 : 1, null, null,
                null, expiration, null, null, null, null, null, null);
        return new AmqpProperties(properties.toBytes(),
                new DecodedProperties(0, expiration, persistent, headers, null, null));
    }

    /** The QoS a message was published with (see the class comment). */
    static int qosOf(Message message) {
        Object qos = headers(message).get(QOS_HEADER);
        if (qos instanceof Number number) {
            return Math.max(0, Math.min(2, number.intValue()));
        }
        return message.persistent() ? 1 : 0;
    }

    /** MQTT 5 properties for delivering {@code message}: content type and string headers as user properties. */
    static MqttProperties toMqtt5(Message message) {
        MqttProperties mqtt5 = new MqttProperties();
        BasicProperties properties = decode(message);
        if (properties.contentType() != null) {
            mqtt5.add(new StringProperty(MqttProperties.CONTENT_TYPE, properties.contentType()));
        }
        if (properties.headers() != null) {
            UserProperties user = new UserProperties();
            properties.headers().forEach((key, value) -> {
                if (!key.startsWith("x-mqtt-") && (value instanceof CharSequence || value instanceof byte[])) {
                    user.add(key, value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8)
                            : value.toString());
                }
            });
            if (!user.value().isEmpty()) {
                mqtt5.add(user);
            }
        }
        return mqtt5;
    }

    /** The session expiry interval of an MQTT 5 CONNECT (0 when absent; 0xFFFFFFFF means never, -1 here). */
    static long sessionExpiry(MqttProperties properties) {
        MqttProperty<?> expiry = properties.getProperty(MqttProperties.SESSION_EXPIRY_INTERVAL);
        if (expiry == null) {
            return 0;
        }
        long seconds = ((Integer) expiry.value()) & 0xFFFFFFFFL;
        return seconds == 0xFFFFFFFFL ? -1 : seconds;
    }

    /** An integer property, or {@code absent}. */
    static int integer(MqttProperties properties, int id, int absent) {
        MqttProperty<?> property = properties.getProperty(id);
        return property instanceof IntegerProperty integer ? integer.value() : absent;
    }

    private static Map<String, Object> headers(Message message) {
        Map<String, Object> headers = decode(message).headers();
        return headers == null ? Map.of() : headers;
    }

    private static BasicProperties decode(Message message) {
        try {
            return BasicProperties.decode(Unpooled.wrappedBuffer(message.properties()));
        } catch (RuntimeException malformed) {
            return BasicProperties.EMPTY;
        }
    }
}
