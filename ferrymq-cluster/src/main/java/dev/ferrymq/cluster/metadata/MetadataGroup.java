package dev.ferrymq.cluster.metadata;

import org.apache.ratis.protocol.RaftGroupId;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The Raft group every node is a member of: membership, and the replicated metadata. Its id is fixed (a
 * name-based UUID), so every node, and every restart, names the same group; quorum queues will each have a group
 * of their own on the same servers.
 */
public final class MetadataGroup {
    public static final RaftGroupId ID = RaftGroupId.valueOf(
            UUID.nameUUIDFromBytes("ferrymq-metadata".getBytes(StandardCharsets.UTF_8)));

    private MetadataGroup() {
    }
}
