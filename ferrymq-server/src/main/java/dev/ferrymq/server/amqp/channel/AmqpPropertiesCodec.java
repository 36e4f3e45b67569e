package dev.ferrymq.server.amqp.channel;

import dev.ferrymq.amqp.BasicProperties;
import dev.ferrymq.broker.DecodedProperties;
import dev.ferrymq.broker.PropertiesCodec;

import java.util.Map;

/** The broker's view of content-header properties, decoded with the AMQP codec. Stateless and thread-safe. */
public final class AmqpPropertiesCodec implements PropertiesCodec {

    /** One decoding pass for everything a publish needs. */
    @Override
    public DecodedProperties decode(byte[] properties) {
        return decoded(BasicProperties.decode(properties));
    }

    /** The broker's view of properties already decoded (by the frame decoder). */
    public static DecodedProperties decoded(BasicProperties decoded) {
        Integer priority = decoded.priority();
        return new DecodedProperties(priority == null ? 0 : priority, decoded.expiration(), decoded.persistent(),
                decoded.headers(), decoded.userId(), decoded.replyTo());
    }

    @Override
    public int priority(byte[] properties) {
        Integer priority = BasicProperties.decode(properties).priority();
        return priority == null ? 0 : priority;
    }

    @Override
    public Map<String, Object> headers(byte[] properties) {
        Map<String, Object> headers = BasicProperties.decode(properties).headers();
        return headers == null ? Map.of() : headers;
    }

    @Override
    public String expiration(byte[] properties) {
        return BasicProperties.decode(properties).expiration();
    }

    @Override
    public byte[] withHeaders(byte[] properties, Map<String, Object> headers, boolean dropExpiration) {
        BasicProperties decoded = BasicProperties.decode(properties).withHeaders(headers);
        return (dropExpiration ? decoded.withExpiration(null) : decoded).toBytes();
    }
}
