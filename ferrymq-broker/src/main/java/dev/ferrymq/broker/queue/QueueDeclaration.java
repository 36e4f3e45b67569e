package dev.ferrymq.broker.queue;

import java.util.Map;

/**
 * What queue.declare asked for, handed to a {@link QueueType} to create the queue.
 *
 * @param owner the connection owning an exclusive queue, else null
 */
public record QueueDeclaration(String name, boolean durable, boolean exclusive, ExclusiveOwner owner,
                               boolean autoDelete, Map<String, Object> arguments) {
}
