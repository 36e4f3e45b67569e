package dev.ferrymq.broker.cluster;

/**
 * One member of the cluster as a node sees it.
 *
 * @param node    its name and cluster address
 * @param running whether it answers on its cluster address (this node always does)
 * @param role    its Raft role in the metadata group, as far as this node knows
 * @param local   whether it is this node
 */
public record NodeStatus(NodeAddress node, boolean running, Role role, boolean local) {

    /** The Raft role of a node in the metadata group. */
    public enum Role {
        LEADER, FOLLOWER, CANDIDATE, UNKNOWN;

        /** Lower-case, as the management API shows it. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public String name() {
        return node.name();
    }
}
