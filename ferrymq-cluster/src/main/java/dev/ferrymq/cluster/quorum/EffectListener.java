package dev.ferrymq.cluster.quorum;

import java.util.List;

/**
 * Receives the effects of every applied entry, on every replica. The node-local glue keeps only those that
 * {@link Effect#runsOn} its node and hands them to its own threads.
 *
 * <p>Called on Ratis' state machine updater thread, in log order, after the state changed: it must not block.
 * After a restart, entries after the latest snapshot are applied again and their effects are reported again;
 * consumers and publishers of an earlier process are gone by then, so the glue ignores effects for ids it does
 * not know.
 */
@FunctionalInterface
public interface EffectListener {
    EffectListener IGNORE = (index, leader, effects) -> { };

    /**
     * @param index  the log index of the applied entry
     * @param leader whether this replica leads the group now (it carries out dead-lettering)
     */
    void applied(long index, boolean leader, List<Effect> effects);
}
