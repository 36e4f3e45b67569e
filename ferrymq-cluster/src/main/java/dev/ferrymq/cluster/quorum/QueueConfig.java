package dev.ferrymq.cluster.quorum;

/**
 * The queue arguments and policy values the state machine needs. It is replicated (set by a
 * {@link QueueCommand.Configure} entry, normally the group's first), never read from local settings, so every
 * replica applies the same limits.
 *
 * @param deliveryLimit  {@code x-delivery-limit}; a message returned more often than this is dead-lettered.
 *                       Negative means unlimited. RabbitMQ 4.0 defaults it to 20.
 * @param maxLength      {@code x-max-length} in ready messages, negative for none
 * @param maxLengthBytes {@code x-max-length-bytes} over ready message sizes, negative for none
 * @param messageTtl     {@code x-message-ttl} in milliseconds, negative for none
 */
public record QueueConfig(int deliveryLimit, long maxLength, long maxLengthBytes, Overflow overflow,
                          long messageTtl, boolean singleActiveConsumer) {

    public static final int DEFAULT_DELIVERY_LIMIT = 20;

    public static final QueueConfig DEFAULT =
            new QueueConfig(DEFAULT_DELIVERY_LIMIT, -1, -1, Overflow.DROP_HEAD, -1, false);

    public QueueConfig {
        if (overflow == null) {
            overflow = Overflow.DROP_HEAD;
        }
    }

    boolean hasLengthLimit() {
        return maxLength >= 0 || maxLengthBytes >= 0;
    }
}
