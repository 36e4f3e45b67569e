package dev.ferrymq.cluster.quorum.queue;

import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.queue.QueueEntry;
import dev.ferrymq.cluster.quorum.ConsumerId;

/**
 * A message a quorum queue checked out to one of this node's consumers (or basic.get callers): settling,
 * rejecting or requeueing it proposes a command naming {@code holder} and {@code messageId}.
 */
final class QuorumEntry extends QueueEntry {
    private final QuorumQueue queue;
    final ConsumerId holder;
    final long messageId;
    private final Message message;
    private final boolean redelivered;

    QuorumEntry(QuorumQueue queue, ConsumerId holder, long messageId, Message message, boolean redelivered) {
        this.queue = queue;
        this.holder = holder;
        this.messageId = messageId;
        this.message = message;
        this.redelivered = redelivered;
    }

    @Override
    public Queue queue() {
        return queue;
    }

    @Override
    public long seq() {
        return messageId;
    }

    @Override
    public Message message() {
        return message;
    }

    @Override
    public Message messageIfLoaded() {
        return message;
    }

    @Override
    public boolean redelivered() {
        return redelivered;
    }
}
