package dev.ferrymq.broker;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/** A test codec: properties are a Java-serialized map of headers (the broker module has no AMQP codec). */
final class SerializingPropertiesCodec implements PropertiesCodec {

    static byte[] properties(Map<String, Object> headers) {
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
             ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new HashMap<>(headers));
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public int priority(byte[] properties) {
        return headers(properties).get("priority") instanceof Integer p ? p : 0;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Map<String, Object> headers(byte[] properties) {
        if (properties.length == 0) {
            return Map.of();
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(properties))) {
            return (Map<String, Object>) in.readObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String expiration(byte[] properties) {
        return null;
    }

    @Override
    public byte[] withHeaders(byte[] properties, Map<String, Object> headers, boolean dropExpiration) {
        return properties(headers);
    }
}
