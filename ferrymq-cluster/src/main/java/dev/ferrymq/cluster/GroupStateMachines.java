package dev.ferrymq.cluster;

import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.statemachine.StateMachine;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * Which state machine serves which Raft group on this node's one {@code RaftServer} (Ratis multi-raft). Ratis asks
 * for each group it starts: the metadata group now, and, as later parts add them, one group per quorum queue, also
 * for groups it finds in the storage directory at start-up. Each kind of group registers a resolver that answers
 * for its own group ids and returns null for the others. Thread-safe.
 */
public final class GroupStateMachines implements StateMachine.Registry {
    private final List<Function<RaftGroupId, StateMachine>> resolvers = new CopyOnWriteArrayList<>();

    /** Adds a resolver, asked after the ones registered before it. */
    public void register(Function<RaftGroupId, StateMachine> resolver) {
        resolvers.add(resolver);
    }

    @Override
    public StateMachine apply(RaftGroupId groupId) {
        for (Function<RaftGroupId, StateMachine> resolver : resolvers) {
            StateMachine stateMachine = resolver.apply(groupId);
            if (stateMachine != null) {
                return stateMachine;
            }
        }
        throw new IllegalArgumentException("no state machine for Raft group " + groupId
                + " (a group of a kind this version does not know)");
    }
}
