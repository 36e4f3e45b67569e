package dev.ferrymq.broker.queue.classic;

import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.PropertiesCodec;
import dev.ferrymq.broker.queue.DeadLetter;
import dev.ferrymq.broker.queue.QueueArguments;
import dev.ferrymq.broker.queue.DeadLetterSink;

import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Dead letters a queue collected under its lock, handed to a {@link DeadLetterSink} after the lock is released
 * (the queue never calls into the virtual host while holding its lock). Thread-safe.
 */
final class DeadLetterOutbox {
    private final ConcurrentLinkedQueue<Message> letters = new ConcurrentLinkedQueue<>();

    /** Collects {@code message} as it dies in {@code queueName} for {@code reason}. */
    void add(Message message, String queueName, String reason, QueueArguments settings, PropertiesCodec codec) {
        letters.add(DeadLetter.of(message, queueName, reason, settings.deadLetterExchange(),
                settings.deadLetterRoutingKey(), codec));
    }

    /** Republishes what was collected; call without holding the queue lock. */
    void flush(DeadLetterSink sink) {
        Message deadLetter;
        while ((deadLetter = letters.poll()) != null) {
            sink.add(deadLetter);
        }
    }
}
