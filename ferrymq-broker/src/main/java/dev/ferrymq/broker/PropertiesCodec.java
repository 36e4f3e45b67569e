package dev.ferrymq.broker;

import java.util.Map;

/**
 * Reads and rewrites a message's encoded content-header properties, which the domain otherwise keeps opaque.
 * The transport plugs in its codec ({@link Broker#usePropertiesCodec}). A publish decodes its properties once,
 * with {@link #decode}, into what routing and queues need; the other methods serve dead-lettering, which rewrites
 * headers. Implementations must be thread-safe.
 */
public interface PropertiesCodec {

    /**
     * Knows no format: every message has priority 0 and no headers; dead letters are dropped, because without
     * x-death headers dead-letter cycles could not be detected.
     */
    PropertiesCodec OPAQUE = new PropertiesCodec() {
        @Override
        public DecodedProperties decode(byte[] properties) {
            return DecodedProperties.NONE;
        }

        @Override
        public int priority(byte[] properties) {
            return 0;
        }

        @Override
        public Map<String, Object> headers(byte[] properties) {
            return Map.of();
        }

        @Override
        public String expiration(byte[] properties) {
            return null;
        }

        @Override
        public byte[] withHeaders(byte[] properties, Map<String, Object> headers, boolean dropExpiration) {
            return properties;
        }
    };

    /**
     * Everything a publish needs from the properties, decoded in one pass. The default composes the single-field
     * readers below (and knows no delivery mode); a real codec overrides it to decode once.
     */
    default DecodedProperties decode(byte[] properties) {
        Map<String, Object> headers = headers(properties);
        return new DecodedProperties(priority(properties), expiration(properties), false,
                headers.isEmpty() ? null : headers, null, null);
    }

    /** The priority property, or 0 when absent. */
    int priority(byte[] properties);

    /** The headers table (empty when absent). */
    Map<String, Object> headers(byte[] properties);

    /** The expiration property, or null. */
    String expiration(byte[] properties);

    /** The properties with {@code headers} replacing the headers table, and without expiration if asked. */
    byte[] withHeaders(byte[] properties, Map<String, Object> headers, boolean dropExpiration);
}
