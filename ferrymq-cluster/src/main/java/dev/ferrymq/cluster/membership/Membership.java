package dev.ferrymq.cluster.membership;

import dev.ferrymq.broker.cluster.ClusterException;
import dev.ferrymq.broker.cluster.NodeAddress;
import dev.ferrymq.broker.cluster.NodeStatus;
import dev.ferrymq.broker.cluster.NodeStatus.Role;
import dev.ferrymq.cluster.RaftSettings;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The members of a group and changes to them: who they are (the group's current Raft configuration, which is a
 * log entry like any other, so every member agrees on it and a restarted node recovers it), who leads, who is
 * running, and adding or removing a member through Ratis' setConfiguration, which the leader commits on a
 * majority of both the old and the new members. Thread-safe.
 */
public final class Membership {
    private static final Logger log = LoggerFactory.getLogger(Membership.class);

    private final RaftServer server;
    private final RaftGroupId groupId;
    private final NodeAddress local;

    /** {@code local}: this node, as it is shown while it is not (yet) a member. */
    public Membership(RaftServer server, RaftGroupId groupId, NodeAddress local) {
        this.server = server;
        this.groupId = groupId;
        this.local = local;
    }

    /**
     * Every member (the current configuration), sorted by name, with its role and whether it answers. A node that
     * is not a member (started outside the seeds and not added yet) lists only itself, with role unknown.
     */
    public List<NodeStatus> statuses() {
        RaftServer.Division division = division();
        RaftPeerId leader = division.getInfo().getLeaderId();
        List<NodeStatus> statuses = new ArrayList<>();
        for (RaftPeer peer : division.getRaftConf().getCurrentPeers()) {
            NodeAddress node = Peers.node(peer);
            boolean isLocal = node.name().equals(local.name());
            boolean running = isLocal || PeerProbe.answers(node.host(), node.port());
            // A member that does not answer has no role we can vouch for, even if this node has not yet noticed
            // that the leader it follows is gone (that takes an election timeout).
            Role role = isLocal ? role(division.getInfo().getCurrentRole())
                    : !running ? Role.UNKNOWN
                    : peer.getId().equals(leader) ? Role.LEADER
                    : leader != null ? Role.FOLLOWER : Role.UNKNOWN;
            statuses.add(new NodeStatus(node, running, role, isLocal));
        }
        if (statuses.stream().noneMatch(NodeStatus::local)) {
            statuses.add(new NodeStatus(local, true, Role.UNKNOWN, true));
        }
        statuses.sort(Comparator.comparing(NodeStatus::name));
        return statuses;
    }

    /** The leader's name, or null while there is none (an election, or no majority). */
    public String leader() {
        RaftPeerId leader = division().getInfo().getLeaderId();
        return leader == null ? null : leader.toString();
    }

    /** Adds a running node that is not yet a member; it catches up with the log before it counts for a majority. */
    public void add(NodeAddress node) {
        List<RaftPeer> current = currentPeers();
        if (current.stream().anyMatch(peer -> peer.getId().toString().equals(node.name()))) {
            throw new ClusterException("node " + node.name() + " is already a member");
        }
        if (!PeerProbe.answers(node.host(), node.port())) {
            throw new ClusterException("node " + node + " does not answer on its cluster port; start it first "
                    + "(with the cluster's seeds) and add it then");
        }
        change(current, SetConfigurationRequest.Arguments.newBuilder()
                .setServersInNewConf(List.of(Peers.peer(node)))
                .setMode(SetConfigurationRequest.Mode.ADD)
                .build(), "add " + node);
    }

    /** Removes a member by name; the last member cannot be removed. */
    public void remove(String name) {
        List<RaftPeer> current = currentPeers();
        List<RaftPeer> remaining = current.stream().filter(peer -> !peer.getId().toString().equals(name)).toList();
        if (remaining.size() == current.size()) {
            throw new ClusterException("node " + name + " is not a member");
        }
        if (remaining.isEmpty()) {
            throw new ClusterException("node " + name + " is the last member and cannot be removed");
        }
        change(current, SetConfigurationRequest.Arguments.newBuilder()
                .setServersInCurrentConf(current)
                .setServersInNewConf(remaining)
                .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
                .build(), "remove " + name);
    }

    private void change(List<RaftPeer> current, SetConfigurationRequest.Arguments arguments, String what) {
        RaftPeerId leader = division().getInfo().getLeaderId();
        if (leader == null) { // refuse at once rather than retry for many seconds (the caller may be an HTTP thread)
            throw new ClusterException("could not " + what + ": the cluster has no leader (is a majority of its "
                    + "members running?)");
        }
        RaftGroup group = RaftGroup.valueOf(groupId, current);
        try (RaftClient client = RaftClient.newBuilder()
                .setProperties(RaftSettings.client())
                .setRaftGroup(group)
                .setLeaderId(leader)
                .setRetryPolicy(RaftSettings.clientRetries())
                .build()) {
            RaftClientReply reply = client.admin().setConfiguration(arguments);
            if (!reply.isSuccess()) {
                throw new ClusterException("could not " + what + ": " + reply.getException(), reply.getException());
            }
            log.info("cluster membership changed: {}", what);
        } catch (IOException e) {
            throw new ClusterException("could not " + what + ": " + e.getMessage(), e);
        }
    }

    private List<RaftPeer> currentPeers() {
        return List.copyOf(division().getRaftConf().getCurrentPeers());
    }

    private RaftServer.Division division() {
        try {
            return server.getDivision(groupId);
        } catch (IOException e) {
            throw new ClusterException("this node is not (yet) in the group: " + e.getMessage(), e);
        }
    }

    private static Role role(RaftPeerRole role) {
        return switch (role) {
            case LEADER -> Role.LEADER;
            case FOLLOWER -> Role.FOLLOWER;
            case CANDIDATE -> Role.CANDIDATE;
            default -> Role.UNKNOWN;
        };
    }
}
