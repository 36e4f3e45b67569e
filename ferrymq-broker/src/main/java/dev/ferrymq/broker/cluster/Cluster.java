package dev.ferrymq.broker.cluster;

import java.util.List;

/**
 * This node's view of, and handle on, the cluster it is a member of. Thread-safe.
 *
 * <p>Membership changes go through the cluster's consensus: they succeed once a majority of the current members
 * has accepted the new membership, and may be made from any member.
 */
public interface Cluster extends AutoCloseable {

    /** This node's name. */
    String nodeName();

    /** Every member, this node included, sorted by name. Answers within about a second even if members are down. */
    List<NodeStatus> nodes();

    /**
     * Adds a node to the running cluster. The node must be running (started with the cluster's seeds but not among
     * them), so that it can catch up before it counts towards a majority.
     *
     * @throws ClusterException if the change is refused or does not complete in time
     */
    void addNode(NodeAddress node);

    /**
     * Removes a member by name.
     *
     * @throws ClusterException if there is no such member, it is the last one, or the change does not complete
     */
    void removeNode(String name);

    /** Leaves the cluster's listener and threads (the membership is unchanged: a restart rejoins). */
    @Override
    void close();
}
