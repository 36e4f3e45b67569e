package dev.ferrymq.server.amqp.channel;

import dev.ferrymq.amqp.ReplyCode;
import dev.ferrymq.store.Syncer;

/**
 * Runs an action on the channel's event loop once everything stored so far is durable (then flushes). Publisher
 * confirms and tx.commit-ok wait on it for stored messages.
 */
@FunctionalInterface
interface Durability {
    void afterFsync(Runnable action);

    /**
     * The store's group commit: the action runs after the next fsync; if the store cannot fsync, the connection
     * is closed instead, since nothing may be reported durable.
     */
    static Durability of(Syncer syncer, ChannelHost host) {
        return action -> syncer.whenDurable(() -> host.executor().execute(() -> {
            action.run();
            host.flushIfPending();
        }), failure -> host.executor().execute(() -> host.closeConnection(ReplyCode.INTERNAL_ERROR,
                "INTERNAL_ERROR - message store failed: " + failure.getMessage(), 0, 0)));
    }
}
