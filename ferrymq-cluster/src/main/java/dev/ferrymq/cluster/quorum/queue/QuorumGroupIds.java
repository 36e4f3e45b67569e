package dev.ferrymq.cluster.quorum.queue;

import org.apache.ratis.protocol.RaftGroupId;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * A quorum queue's Raft group id, derived from its vhost and name so every node computes the same one; its top 32
 * bits spell "quor" so the state machine resolver recognises a quorum queue's group among the others on the node.
 */
final class QuorumGroupIds {
    private static final long MARK = 0x71756f72L << 32; // "quor"

    private QuorumGroupIds() {
    }

    static RaftGroupId of(String vhost, String name) {
        UUID hashed = UUID.nameUUIDFromBytes(("quorum\0" + vhost + "\0" + name).getBytes(StandardCharsets.UTF_8));
        return RaftGroupId.valueOf(new UUID(MARK | (hashed.getMostSignificantBits() & 0xffffffffL),
                hashed.getLeastSignificantBits()));
    }

    static boolean isQuorumQueue(RaftGroupId id) {
        return (id.getUuid().getMostSignificantBits() & 0xffffffff00000000L) == MARK;
    }
}
