package dev.ferrymq.broker.queue.stream;

import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.queue.LoadedEntry;

/**
 * A stream message handed to a consumer: its offset and the message with the {@code x-stream-offset} header
 * added. Settling it only returns the consumer's credit; the message stays in the stream. Immutable.
 */
final class StreamEntry extends LoadedEntry {
    StreamEntry(StreamQueue queue, long offset, Message message) {
        super(queue, offset, message, false);
    }
}
