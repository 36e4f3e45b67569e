package dev.ferrymq.cluster.quorum.queue;

import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.queue.LoadedEntry;
import dev.ferrymq.cluster.quorum.ConsumerId;

/**
 * A message a quorum queue checked out to one of this node's consumers (or basic.get callers): settling,
 * rejecting or requeueing it proposes a command naming {@code holder} and the message id, its {@link #seq()}.
 */
final class QuorumEntry extends LoadedEntry {
    final ConsumerId holder;

    QuorumEntry(QuorumQueue queue, ConsumerId holder, long messageId, Message message, boolean redelivered) {
        super(queue, messageId, message, redelivered);
        this.holder = holder;
    }
}
