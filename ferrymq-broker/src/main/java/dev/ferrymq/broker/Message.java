package dev.ferrymq.broker;

/**
 * A published message. Immutable and shared: a message routed to several queues is one object referenced by
 * each queue's entries. The content-header properties are kept exactly as the publisher encoded them so that
 * consumers receive them byte for byte; the domain only reads the few fields it needs, given at construction.
 *
 * @param exchange     the exchange it was published to ("" for the default exchange)
 * @param routingKey   the routing key it was published with
 * @param properties   the encoded content-header property flags and values, opaque to the broker
 * @param body         the message body
 * @param persistent   delivery mode 2
 * @param expiresAt    when the per-message TTL (the expiration property) runs out, in epoch milliseconds, or
 *                     {@link #NEVER}
 * @param priority     the priority property (0 when absent), read once at publish for priority queues
 */
public record Message(String exchange, String routingKey, byte[] properties, byte[] body, boolean persistent,
                      long expiresAt, int priority) {
    public static final long NEVER = 0;

    /** A message of priority 0. */
    public Message(String exchange, String routingKey, byte[] properties, byte[] body, boolean persistent,
                   long expiresAt) {
        this(exchange, routingKey, properties, body, persistent, expiresAt, 0);
    }

    /** A message without expiry. */
    public Message(String exchange, String routingKey, byte[] properties, byte[] body, boolean persistent) {
        this(exchange, routingKey, properties, body, persistent, NEVER);
    }

    public int bodySize() {
        return body.length;
    }

    /** The same message with other properties (direct reply-to rewrites reply_to). */
    public Message withProperties(byte[] newProperties) {
        return new Message(exchange, routingKey, newProperties, body, persistent, expiresAt, priority);
    }
}
