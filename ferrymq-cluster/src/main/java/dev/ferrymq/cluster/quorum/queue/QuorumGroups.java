package dev.ferrymq.cluster.quorum.queue;

import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.broker.cluster.NodeStatus;
import dev.ferrymq.cluster.ClusterNode;
import dev.ferrymq.cluster.RaftSettings;
import dev.ferrymq.cluster.metadata.MetadataGroup;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Creates and removes quorum queues' Raft groups on the cluster's nodes: {@code x-quorum-initial-group-size} voting
 * members (default the smaller of 3 and the cluster size), starting with the declaring node, and every other node
 * as a Ratis listener, which applies the log without voting so it can serve its own consumers.
 */
final class QuorumGroups {
    private static final Logger log = LoggerFactory.getLogger(QuorumGroups.class);
    static final int DEFAULT_GROUP_SIZE = 3;

    private final String nodeName;
    private volatile ClusterNode cluster;

    QuorumGroups(String nodeName) {
        this.nodeName = nodeName;
    }

    void start(ClusterNode started) {
        cluster = started;
    }

    boolean started() {
        return cluster != null;
    }

    /** Adds group {@code id} to every node of the cluster; the nodes that do not answer are left out. */
    void create(RaftGroupId id, int groupSize) {
        List<RaftPeer> nodes = new ArrayList<>(clusterPeers());
        nodes.sort(Comparator.comparing(peer -> peer.getId().toString()));
        int self = 0;
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).getId().toString().equals(nodeName)) {
                self = i;
            }
        }
        int voters = Math.min(groupSize > 0 ? groupSize : DEFAULT_GROUP_SIZE, nodes.size());
        List<RaftPeer> peers = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            RaftPeer node = nodes.get((self + i) % nodes.size());
            peers.add(RaftPeer.newBuilder(node)
                    .setStartupRole(i < voters ? RaftPeerRole.FOLLOWER : RaftPeerRole.LISTENER).build());
        }
        RaftGroup group = RaftGroup.valueOf(id, peers);
        int added = 0;
        try (RaftClient client = client(group)) {
            for (RaftPeer peer : peers) {
                try {
                    client.getGroupManagementApi(peer.getId()).add(group);
                    added += peers.indexOf(peer) < voters ? 1 : 0;
                } catch (IOException e) {
                    log.warn("quorum queue group {}: node {} did not take it: {}", id, peer.getId(), e.toString());
                }
            }
        } catch (IOException e) {
            log.debug("closing a group management client failed", e);
        }
        if (added <= voters / 2) {
            throw BrokerException.preconditionFailed("cannot create a quorum queue: only " + added + " of its "
                    + voters + " members could be reached");
        }
    }

    /** The group as this node's server knows it (members and listeners). */
    RaftGroup groupOf(RaftGroupId id) {
        try {
            return server().getDivision(id).getGroup();
        } catch (IOException e) {
            throw BrokerException.preconditionFailed("quorum queue group " + id + " is not on this node");
        }
    }

    /** The group's leader as this node's replica knows it, or null (an election, or not on this node). */
    RaftPeerId leaderOf(RaftGroupId id) {
        try {
            return server().getDivision(id).getInfo().getLeaderId();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Removes the group, and its storage, from every node that has it. */
    void remove(RaftGroupId id) {
        RaftGroup group;
        try {
            group = server().getDivision(id).getGroup();
        } catch (IOException e) {
            return; // already gone here
        }
        try (RaftClient client = client(group)) {
            for (RaftPeer peer : group.getPeers()) {
                try {
                    client.getGroupManagementApi(peer.getId()).remove(id, true, false);
                } catch (IOException e) {
                    log.warn("quorum queue group {}: node {} could not remove it: {}", id, peer.getId(), e.toString());
                }
            }
        } catch (IOException e) {
            log.debug("closing a group management client failed", e);
        }
    }

    /** RabbitMQ's management fields of a quorum queue: its leader, voting members and those of them running. */
    Map<String, Object> describe(RaftGroupId id) {
        Map<String, Object> info = new LinkedHashMap<>();
        try {
            RaftServer.Division division = server().getDivision(id);
            RaftPeerId leader = division.getInfo().getLeaderId();
            List<String> members = new ArrayList<>();
            division.getRaftConf().getCurrentPeers().forEach(peer -> members.add(peer.getId().toString()));
            Set<String> running = new HashSet<>();
            for (NodeStatus status : cluster.nodes()) {
                if (status.running()) {
                    running.add(status.node().name());
                }
            }
            info.put("leader", leader == null ? null : leader.toString());
            info.put("members", members);
            info.put("online", members.stream().filter(running::contains).toList());
        } catch (IOException | RuntimeException e) {
            log.debug("quorum queue group {} cannot be described", id, e);
        }
        return info;
    }

    private Collection<RaftPeer> clusterPeers() {
        try {
            return server().getDivision(MetadataGroup.ID).getRaftConf().getCurrentPeers();
        } catch (IOException e) {
            throw BrokerException.preconditionFailed("this node is not (yet) a member of the cluster");
        }
    }

    private RaftServer server() {
        ClusterNode node = cluster;
        if (node == null) {
            throw BrokerException.preconditionFailed("the cluster is still starting");
        }
        return node.raftServer();
    }

    private static RaftClient client(RaftGroup group) {
        return RaftClient.newBuilder().setProperties(RaftSettings.client()).setRaftGroup(group)
                .setRetryPolicy(RaftSettings.clientRetries()).build();
    }
}
