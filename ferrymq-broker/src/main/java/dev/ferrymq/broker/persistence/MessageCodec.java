package dev.ferrymq.broker.persistence;

import dev.ferrymq.broker.Message;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Serializes a {@link Message} into one store record and back.
 *
 * <pre>
 * +------+------------+----------+----------+---------+-----------+-----------+------------+------+
 * | ver  | expires at | exch len | exchange | key len |routing key| props len | properties | body |
 * | u8=1 | i64 ms     | u8       | utf-8    | u8      | utf-8     | i32       | bytes      | rest |
 * +------+------------+----------+----------+---------+-----------+-----------+------------+------+
 * </pre>
 * Exchange names and routing keys are AMQP short strings (at most 255 bytes). Stateless and thread-safe.
 */
public final class MessageCodec {
    private static final byte VERSION = 1;

    private MessageCodec() {
    }

    public static byte[] encode(Message message) {
        byte[] exchange = message.exchange().getBytes(StandardCharsets.UTF_8);
        byte[] routingKey = message.routingKey().getBytes(StandardCharsets.UTF_8);
        byte[] properties = message.properties();
        byte[] body = message.body();
        ByteBuffer out = ByteBuffer.allocate(1 + 8 + 1 + exchange.length + 1 + routingKey.length + 4 + properties.length
                + body.length);
        out.put(VERSION);
        out.putLong(message.expiresAt());
        out.put((byte) exchange.length).put(exchange);
        out.put((byte) routingKey.length).put(routingKey);
        out.putInt(properties.length).put(properties);
        out.put(body);
        return out.array();
    }

    public static Message decode(byte[] record) {
        ByteBuffer in = ByteBuffer.wrap(record);
        byte version = in.get();
        if (version != VERSION) {
            throw new IllegalArgumentException("unknown message record version " + version);
        }
        long expiresAt = in.getLong();
        String exchange = readShortString(in);
        String routingKey = readShortString(in);
        byte[] properties = new byte[in.getInt()];
        in.get(properties);
        byte[] body = new byte[in.remaining()];
        in.get(body);
        return new Message(exchange, routingKey, properties, body, true, expiresAt);
    }

    private static String readShortString(ByteBuffer in) {
        int length = in.get() & 0xFF;
        String value = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        return value;
    }
}
