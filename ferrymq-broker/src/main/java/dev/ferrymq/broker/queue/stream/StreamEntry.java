package dev.ferrymq.broker.queue.stream;

import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.queue.QueueEntry;

/**
 * A stream message handed to a consumer: its offset and the message with the {@code x-stream-offset} header
 * added. Settling it only returns the consumer's credit; the message stays in the stream. Immutable.
 */
final class StreamEntry extends QueueEntry {
    private final StreamQueue queue;
    private final long offset;
    private final Message message;

    StreamEntry(StreamQueue queue, long offset, Message message) {
        this.queue = queue;
        this.offset = offset;
        this.message = message;
    }

    @Override
    public Queue queue() {
        return queue;
    }

    @Override
    public long seq() {
        return offset;
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
        return false;
    }
}
