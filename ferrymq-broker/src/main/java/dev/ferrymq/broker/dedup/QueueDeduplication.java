package dev.ferrymq.broker.dedup;

import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.PropertiesCodec;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A queue declared with {@code x-message-deduplication: true} (rabbitmq-message-deduplication's queue contract):
 * a message whose {@code x-deduplication-header} value is carried by a message still in the queue (ready or
 * delivered and not yet acknowledged) is dropped instead of enqueued; the identity is free again once that message
 * leaves the queue for good. Bounded by the queue's own length: one entry per message that carries the header.
 *
 * <p>Thread-safety: thread-safe; the queue calls it under its lock, except when a message leaves off the lock.
 */
public final class QueueDeduplication {
    public static final String ARGUMENT = "x-message-deduplication";

    private final PropertiesCodec codec;
    private final Map<Long, Long> identityOfEntry = new HashMap<>();
    private final Set<Long> present = new HashSet<>();

    private QueueDeduplication(PropertiesCodec codec) {
        this.codec = codec;
    }

    /** The deduplication of a queue with these arguments, or null if it has none. */
    public static QueueDeduplication forQueue(Map<String, Object> arguments, PropertiesCodec codec) {
        Object value = arguments == null ? null : arguments.get(ARGUMENT);
        boolean enabled = Boolean.TRUE.equals(value)
                || (value instanceof byte[] b && "true".equals(new String(b, StandardCharsets.UTF_8)))
                || (value instanceof CharSequence s && "true".contentEquals(s));
        return enabled ? new QueueDeduplication(codec) : null;
    }

    /** Whether a message with the same identity is in the queue. */
    public synchronized boolean isDuplicate(Message message) {
        long identity = identity(message);
        return identity != Identity.NONE && present.contains(identity);
    }

    /** The message entered the queue as entry {@code seq}. */
    public synchronized void entered(long seq, Message message) {
        long identity = identity(message);
        if (identity != Identity.NONE && present.add(identity)) {
            identityOfEntry.put(seq, identity);
        }
    }

    /** Entry {@code seq} left the queue for good. */
    public synchronized void left(long seq) {
        Long identity = identityOfEntry.remove(seq);
        if (identity != null) {
            present.remove(identity);
        }
    }

    private long identity(Message message) {
        return Identity.of(codec.headers(message.properties()));
    }
}
