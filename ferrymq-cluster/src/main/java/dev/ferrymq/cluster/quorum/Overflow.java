package dev.ferrymq.cluster.quorum;

/** {@code x-overflow} for quorum queues: RabbitMQ accepts only these two for this queue type. */
public enum Overflow {
    /** Drop (dead-letter with reason {@code maxlen}) the oldest ready message. The default. */
    DROP_HEAD,
    /** Refuse the new message: the publisher gets a basic.nack. */
    REJECT_PUBLISH
}
