package dev.ferrymq.broker.queue;

import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.VirtualHost;

/**
 * A queue's view of the virtual host it lives in: what a queue may ask of it. The virtual host implements it;
 * a queue calls it only while not holding its own lock.
 */
public interface QueueHost {
    VirtualHost vhost();

    /** Routes a dead letter to its dead-letter exchange. */
    void deadLetter(Message deadLetter);

    /** Deletes {@code queue} because it went unused: auto-delete after its last consumer, or x-expires. */
    void deleteUnused(Queue queue);
}
