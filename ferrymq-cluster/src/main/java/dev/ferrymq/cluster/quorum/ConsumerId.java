package dev.ferrymq.cluster.quorum;

import java.util.Objects;

/**
 * A consumer as the replicated state sees it: the node that owns the AMQP connection, the connection and channel
 * on that node, and the consumer tag. Only {@code node}'s glue ever turns a delivery for this consumer into a
 * basic.deliver; every other replica just records it.
 */
public record ConsumerId(String node, long connection, int channel, String tag) {
    public ConsumerId {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(tag, "tag");
    }

    boolean isOn(String otherNode) {
        return node.equals(otherNode);
    }
}
