package dev.ferrymq.cluster.quorum;

import java.util.Objects;

/**
 * A publishing channel (node, connection, channel). With a per-publisher sequence number it lets the state
 * machine apply a retried proposal once: Raft clients retry on timeouts and leader changes, so the same enqueue
 * can reach the log twice.
 */
public record PublisherId(String node, long connection, int channel) {
    public PublisherId {
        Objects.requireNonNull(node, "node");
    }
}
