package dev.ferrymq.cluster.quorum.queue;

import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.PropertiesCodec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link Message} as the opaque content of a quorum queue's enqueue:
 * {@code exchange:utf routingKey:utf properties:bytes body:bytes persistent:bool expiresAt:long priority:int}.
 */
final class MessageCodec {
    static final String DELIVERY_COUNT = "x-delivery-count";

    private MessageCodec() {
    }

    static byte[] encode(Message message) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + message.bodySize() + message.properties().length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(message.exchange());
            out.writeUTF(message.routingKey());
            out.writeInt(message.properties().length);
            out.write(message.properties());
            out.writeInt(message.body().length);
            out.write(message.body());
            out.writeBoolean(message.persistent());
            out.writeLong(message.expiresAt());
            out.writeInt(message.priority());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Message decode(byte[] content) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(content))) {
            String exchange = in.readUTF();
            String routingKey = in.readUTF();
            byte[] properties = in.readNBytes(in.readInt());
            byte[] body = in.readNBytes(in.readInt());
            return new Message(exchange, routingKey, properties, body, in.readBoolean(), in.readLong(), in.readInt());
        } catch (IOException e) {
            throw new UncheckedIOException("undecodable quorum queue message", e);
        }
    }

    /** The message with the {@code x-delivery-count} header RabbitMQ's quorum queues add once it was returned. */
    static Message withDeliveryCount(Message message, int deliveryCount, PropertiesCodec codec) {
        if (deliveryCount <= 0 || codec == PropertiesCodec.OPAQUE) {
            return message;
        }
        Map<String, Object> current = codec.headers(message.properties());
        Map<String, Object> headers = current == null ? new LinkedHashMap<>() : new LinkedHashMap<>(current);
        headers.put(DELIVERY_COUNT, (long) deliveryCount);
        return message.withProperties(codec.withHeaders(message.properties(), headers, false));
    }
}
