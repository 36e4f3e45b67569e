package dev.ferrymq.broker.publish;

import dev.ferrymq.broker.queue.Queue;

/**
 * What became of a published message.
 *
 * @param queues    how many queues (or reply-to consumers) it reached; 0 means unroutable
 * @param stored    whether it was written to the store (a publisher confirm must wait for an fsync)
 * @param congested a queue it reached whose consumers are falling behind (the publisher should pause reading), or
 *                  null
 * @param refused   a full queue with {@code x-overflow} reject-publish refused it (the confirm is a nack)
 */
public record PublishResult(int queues, boolean stored, Queue congested, boolean refused) {
    /** Reached no queue (also what a dropped duplicate reports: confirmed, returned if mandatory). */
    public static final PublishResult UNROUTED = new PublishResult(0, false, null, false);
    static final PublishResult DIRECT_REPLY = new PublishResult(1, false, null, false);
}
