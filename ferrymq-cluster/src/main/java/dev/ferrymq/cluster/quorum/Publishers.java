package dev.ferrymq.cluster.quorum;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The highest enqueue sequence number applied per publisher, so that a proposal retried by a Raft client
 * (after a timeout or a leader change) is applied once. Entries are dropped when the publisher's node goes
 * down; a connection id is not reused within a node's lifetime, so nothing else needs them.
 * Not thread-safe: owned by {@link QuorumQueueState}.
 */
final class Publishers {
    private final LinkedHashMap<PublisherId, Long> lastSeq = new LinkedHashMap<>();

    boolean isDuplicate(PublisherId publisher, long seq) {
        Long last = lastSeq.get(publisher);
        return seq > 0 && last != null && seq <= last;
    }

    void applied(PublisherId publisher, long seq) {
        if (seq > 0) {
            lastSeq.merge(publisher, seq, Math::max);
        }
    }

    void forgetNode(String node) {
        lastSeq.keySet().removeIf(p -> p.node().equals(node));
    }

    Map<PublisherId, Long> all() {
        return lastSeq;
    }
}
