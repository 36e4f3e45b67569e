package dev.ferrymq.broker.queue.classic;

import dev.ferrymq.broker.queue.QueueArguments;

/**
 * Length limits ({@code x-max-length}, {@code x-max-length-bytes}, bodies only as RabbitMQ counts): whether a
 * reject-publish queue must refuse a message, and whether a drop-head queue must drop from its head. Stateless.
 */
final class LengthLimit {
    private LengthLimit() {
    }

    /** Whether a reject-publish queue is full: one more message of {@code bodySize} would exceed a limit. */
    static boolean wouldExceed(QueueArguments settings, ReadyEntries ready, int bodySize) {
        if (!settings.hasLengthLimit() || settings.overflow() == QueueArguments.Overflow.DROP_HEAD) {
            return false;
        }
        return settings.maxLength() >= 0 && ready.size() >= settings.maxLength()
                || settings.maxLengthBytes() >= 0 && ready.bodyBytes() + bodySize > settings.maxLengthBytes();
    }

    /** Whether the queue is over a limit now (a drop-head queue then drops from its head). */
    static boolean exceeded(QueueArguments settings, ReadyEntries ready) {
        return settings.hasLengthLimit() && !ready.isEmpty()
                && (settings.maxLength() >= 0 && ready.size() > settings.maxLength()
                || settings.maxLengthBytes() >= 0 && ready.bodyBytes() > settings.maxLengthBytes());
    }
}
