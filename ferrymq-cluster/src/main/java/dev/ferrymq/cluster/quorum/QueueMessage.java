package dev.ferrymq.cluster.quorum;

/**
 * A message held by the state machine.
 *
 * @param id            queue-wide, assigned in log order at enqueue; consumers settle by it
 * @param expiresAt     leader time (ms) at which it expires, negative for never
 * @param priority      the publish priority; above 4 is the high-priority lane, as in RabbitMQ 4.0
 * @param acquiredCount how often it was returned to the queue: the {@code x-delivery-count} header, and what
 *                      {@code x-delivery-limit} is checked against
 * @param content       encoded properties and body, opaque here
 */
public record QueueMessage(long id, long expiresAt, int priority, int acquiredCount, byte[] content) {

    static final int HIGH_PRIORITY_ABOVE = 4;

    public int size() {
        return content.length;
    }

    boolean isHighPriority() {
        return priority > HIGH_PRIORITY_ABOVE;
    }

    boolean isExpired(long now) {
        return expiresAt >= 0 && expiresAt <= now;
    }

    QueueMessage returned() {
        return new QueueMessage(id, expiresAt, priority, acquiredCount + 1, content);
    }
}
