package dev.ferrymq.cluster.quorum;

import java.util.List;

/** What applying one log entry produced: the proposer's reply and the effects, in the order they happened. */
public record ApplyResult(Reply reply, List<Effect> effects) {
    public ApplyResult {
        effects = List.copyOf(effects);
    }
}
