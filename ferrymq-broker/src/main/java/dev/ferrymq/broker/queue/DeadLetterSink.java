package dev.ferrymq.broker.queue;

import dev.ferrymq.broker.Message;

/**
 * Where a queue hands the dead letters it produced (outside its lock). The publisher passes its own work list
 * into {@link Queue#publish}, so dead letters produced while it delivers are routed by the same call, in a loop
 * rather than by recursion; at other times a queue hands them to its {@link QueueHost}.
 */
@FunctionalInterface
public interface DeadLetterSink {
    void add(Message deadLetter);
}
