package dev.ferrymq.embedded;

import com.rabbitmq.client.AMQP;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A message taken from the broker by {@link FerryMQBroker#awaitMessages} or seen by a {@link MessageTap}: where it
 * was published, its content properties (headers, content type, correlation id...) and its body.
 */
public record ReceivedMessage(String exchange, String routingKey, AMQP.BasicProperties properties, byte[] body) {

    /** The body decoded as UTF-8. */
    public String bodyAsString() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** A header's value (a long string arrives as the client's {@code LongString}: use its toString), or null. */
    public Object header(String name) {
        Map<String, Object> headers = properties.getHeaders();
        return headers == null ? null : headers.get(name);
    }

    @Override
    public String toString() {
        return "ReceivedMessage[exchange=" + exchange + ", routingKey=" + routingKey + ", body=" + bodyAsString() + "]";
    }
}
