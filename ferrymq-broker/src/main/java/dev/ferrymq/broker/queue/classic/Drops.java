package dev.ferrymq.broker.queue.classic;

import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.PropertiesCodec;
import dev.ferrymq.broker.queue.DeadLetter;
import dev.ferrymq.broker.queue.QueueArguments;

/**
 * Messages that leave a classic queue without being consumed: refused at the door by a full reject-publish queue,
 * dropped from the head by a drop-head queue over its length limit, or expired at the head (message TTL). Each is
 * dead-lettered when the queue's settings say so. The settings are passed in on each call because policies can
 * change them. Called only under the queue's lock.
 */
final class Drops {
    private final Storage storage;
    private final DeadLetterOutbox deadLetters;
    private final String queueName;
    private final PropertiesCodec codec;

    Drops(Storage storage, DeadLetterOutbox deadLetters, String queueName, PropertiesCodec codec) {
        this.storage = storage;
        this.deadLetters = deadLetters;
        this.queueName = queueName;
        this.codec = codec;
    }

    /** With x-overflow reject-publish[-dlx], refuses a message that would take the queue over its limit. */
    boolean admit(QueueArguments settings, Message message) {
        if (!LengthLimit.wouldExceed(settings, storage.ready(), message.bodySize())) {
            return true;
        }
        if (settings.overflow() == QueueArguments.Overflow.REJECT_PUBLISH_DLX) {
            deadLetter(message, DeadLetter.MAXLEN, settings);
        }
        return false;
    }

    /** x-overflow drop-head: drops (or dead-letters) from the head until the queue is within its limits. */
    void enforceLengthLimit(QueueArguments settings, boolean deleted) {
        while (LengthLimit.exceeded(settings, storage.ready())) {
            drop(storage.poll(), DeadLetter.MAXLEN, settings, deleted);
        }
    }

    /** The head entry, after dropping the expired ones in front of it; null when none is ready. */
    ClassicEntry peekUnexpired(QueueArguments settings, boolean deleted) {
        long now = 0;
        while (true) {
            ClassicEntry next = storage.peek();
            if (next == null || next.expiresAt() == Message.NEVER) {
                return next;
            }
            if (now == 0) {
                now = System.currentTimeMillis();
            }
            if (!next.expired(now)) {
                return next;
            }
            storage.poll();
            drop(next, DeadLetter.EXPIRED, settings, deleted);
        }
    }

    /** Collects {@code message} for its dead-letter exchange; the queue republishes it after its lock. */
    void deadLetter(Message message, String reason, QueueArguments settings) {
        deadLetters.add(message, queueName, reason, settings, codec);
    }

    /** Removes a ready entry for good without delivering it, dead-lettering it if the queue says so. */
    private void drop(ClassicEntry entry, String reason, QueueArguments settings, boolean deleted) {
        if (settings.deadLetters()) {
            deadLetter(entry.message(), reason, settings);
        }
        storage.removed(entry, deleted);
    }
}
