package dev.ferrymq.cluster.quorum.queue;

import dev.ferrymq.cluster.quorum.Effect;
import dev.ferrymq.cluster.quorum.EffectListener;
import dev.ferrymq.cluster.quorum.QuorumQueueStateMachine;
import org.apache.ratis.protocol.RaftGroupId;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * This node's replica of one quorum queue's group: the state machine Ratis applies the log to, and the hand-off of
 * the effects that run on this node to the {@link QuorumQueue} registered in the local virtual host. Effects are
 * carried out on the node's effects thread, in log order, never on Ratis' apply thread; a basic.get's delivery is
 * kept at once, so the caller finds it when the reply arrives.
 */
final class QuorumReplica implements EffectListener {
    private static final Logger log = LoggerFactory.getLogger(QuorumReplica.class);
    private final QuorumQueues node;
    final RaftGroupId groupId;
    final QuorumQueueStateMachine stateMachine;
    private volatile QuorumQueue queue;
    /** Found in storage at start: the first queue attached after it proposes NodeDown for the earlier run. */
    private boolean recovered;

    QuorumReplica(QuorumQueues node, RaftGroupId groupId, boolean recovered) {
        this.node = node;
        this.recovered = recovered;
        this.groupId = groupId;
        this.stateMachine = new QuorumQueueStateMachine(this) {
            @Override
            public void notifyGroupRemove() {
                node.effects().execute(QuorumReplica.this::groupGone);
            }
        };
    }

    QuorumQueue queue() {
        return queue;
    }

    /** Returns true the first time for a replica recovered from storage: the caller proposes NodeDown. */
    synchronized boolean attach(QuorumQueue attached) {
        queue = attached;
        boolean first = recovered;
        recovered = false;
        return first;
    }

    @Override
    public void applied(long index, boolean leader, List<Effect> effects) {
        for (Effect effect : effects) {
            if (!effect.runsOn(node.name(), leader)) {
                continue;
            }
            QuorumQueue current = queue;
            if (effect instanceof Effect.Deliver deliver && current != null && current.isGet(deliver.consumer())) {
                current.gotten(deliver);
            } else {
                node.effects().execute(() -> carryOut(effect));
            }
        }
    }

    private void carryOut(Effect effect) {
        try {
            run(effect);
        } catch (RuntimeException e) {
            log.warn("quorum queue group {}: carrying out {} failed", groupId, effect.getClass().getSimpleName(), e);
        }
    }

    private void run(Effect effect) {
        if (effect instanceof Effect.Declared declared) {
            node.register(declared);
            return;
        }
        QuorumQueue current = queue;
        if (current == null) {
            return; // a delivery to a consumer of an earlier process, replayed after a restart
        }
        if (effect instanceof Effect.Deliver deliver) {
            current.deliver(deliver);
        } else if (effect instanceof Effect.DeadLetter deadLetter) {
            current.deadLetter(deadLetter);
        } else if (effect instanceof Effect.ConsumerCancelled cancelled) {
            current.consumerGone(cancelled.consumer());
        } else if (effect instanceof Effect.Deleted) {
            groupGone();
        }
    }

    /** The queue was deleted (its Delete entry applied, or its group removed from this node). */
    private void groupGone() {
        QuorumQueue current = queue;
        if (current != null) {
            current.deletedElsewhere();
        }
        node.forget(this);
    }
}
