package dev.ferrymq.cluster.quorum;

/** Why a message left the queue without being acked; {@link #wireName()} is RabbitMQ's {@code x-death} reason. */
public enum DeadLetterReason {
    REJECTED("rejected"),
    EXPIRED("expired"),
    MAXLEN("maxlen"),
    DELIVERY_LIMIT("delivery_limit");

    private final String wireName;

    DeadLetterReason(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
