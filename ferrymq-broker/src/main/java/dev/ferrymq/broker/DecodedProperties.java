package dev.ferrymq.broker;

import java.util.Map;

/**
 * The content-header properties the broker and the transports act on, decoded once when a message is published
 * ({@link PropertiesCodec#decode}); the encoded properties travel on unchanged.
 *
 * @param priority   the priority property, 0 when absent
 * @param expiration the expiration property (a per-message TTL in milliseconds, as text), or null
 * @param persistent delivery mode 2
 * @param headers    the headers table, or null when absent (the headers exchange and CC/BCC read it)
 * @param userId     the user_id property, or null (a transport checks it against the authenticated user)
 * @param replyTo    the reply_to property, or null (a transport handles direct reply-to)
 */
public record DecodedProperties(int priority, String expiration, boolean persistent, Map<String, Object> headers,
                                String userId, String replyTo) {
    /** No properties set. */
    public static final DecodedProperties NONE = new DecodedProperties(0, null, false, null, null, null);
}
