package dev.ferrymq.cluster.quorum;

import java.util.List;

/**
 * What applying one log entry produced: the proposer's replies (one per command: several for a
 * {@link QueueCommand.Batch}) and the effects, in the order they happened.
 */
public record ApplyResult(List<Reply> replies, List<Effect> effects) {
    public ApplyResult {
        replies = List.copyOf(replies);
        effects = List.copyOf(effects);
    }

    ApplyResult(Reply reply, List<Effect> effects) {
        this(List.of(reply), effects);
    }

    /** The reply to an entry of one command. */
    public Reply reply() {
        if (replies.size() != 1) {
            throw new IllegalStateException("a batch has " + replies.size() + " replies");
        }
        return replies.get(0);
    }

    /** The proposer's answer in wire form: a batch gets all its replies, any other command its one. */
    byte[] encodedReply(QueueCommand command) {
        return command instanceof QueueCommand.Batch ? Reply.encodeAll(replies) : reply().encode();
    }
}
