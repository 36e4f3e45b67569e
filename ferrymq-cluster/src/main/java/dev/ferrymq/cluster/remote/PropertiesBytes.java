package dev.ferrymq.cluster.remote;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.impl.ContentHeaderPropertyWriter;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A message's content-header properties between the broker's form (the flags and property list as the publisher
 * encoded them) and the internode client's {@link AMQP.BasicProperties}, with the client's own codec both ways.
 * Stateless.
 */
final class PropertiesBytes {
    private PropertiesBytes() {
    }

    /** The client's decoder reads a whole content header: weight and body size come first. */
    private static final int WEIGHT_AND_BODY_SIZE = 2 + 8;

    static AMQP.BasicProperties decode(byte[] properties) {
        byte[] header = new byte[WEIGHT_AND_BODY_SIZE + properties.length];
        System.arraycopy(properties, 0, header, WEIGHT_AND_BODY_SIZE, properties.length);
        try {
            return new AMQP.BasicProperties(new DataInputStream(new ByteArrayInputStream(header)));
        } catch (IOException e) {
            throw new UncheckedIOException("message properties the broker accepted cannot be decoded", e);
        }
    }

    static byte[] encode(AMQP.BasicProperties properties) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try {
            properties.writePropertiesTo(new ContentHeaderPropertyWriter(new DataOutputStream(bytes)));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // not from a byte array
        }
        return bytes.toByteArray();
    }
}
