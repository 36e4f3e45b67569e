package dev.ferrymq.broker.queue;

import dev.ferrymq.broker.Message;

/**
 * An entry that carries its message in memory for as long as it is held: what queue types hand out when the
 * message was read (a stream's record) or replicated (a quorum queue's checkout) just before delivery, so there is
 * nothing to load later. Immutable.
 */
public class LoadedEntry extends QueueEntry {
    private final Queue queue;
    private final long seq;
    private final Message message;
    private final boolean redelivered;

    public LoadedEntry(Queue queue, long seq, Message message, boolean redelivered) {
        this.queue = queue;
        this.seq = seq;
        this.message = message;
        this.redelivered = redelivered;
    }

    @Override
    public final Queue queue() {
        return queue;
    }

    @Override
    public final long seq() {
        return seq;
    }

    @Override
    public final Message message() {
        return message;
    }

    @Override
    public final Message messageIfLoaded() {
        return message;
    }

    @Override
    public final boolean redelivered() {
        return redelivered;
    }
}
