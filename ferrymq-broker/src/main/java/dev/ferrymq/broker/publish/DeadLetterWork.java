package dev.ferrymq.broker.publish;

import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.queue.DeadLetterSink;

import java.util.ArrayDeque;

/**
 * The dead letters one {@link Publisher} call still has to route. Delivering a message can make a full queue drop
 * (and dead-letter) its head, and delivering that dead letter can do the same around a chain of queues; the call
 * owns this work list and loops over it, so the chain never grows the stack. Allocates nothing until a dead letter
 * arrives. Not thread-safe: it lives on the publishing thread for one call.
 */
final class DeadLetterWork implements DeadLetterSink {
    private ArrayDeque<Message> pending;

    @Override
    public void add(Message deadLetter) {
        if (pending == null) {
            pending = new ArrayDeque<>();
        }
        pending.add(deadLetter);
    }

    /** The next dead letter to route, or null when there is none left. */
    Message poll() {
        return pending == null ? null : pending.poll();
    }
}
