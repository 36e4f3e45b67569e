package dev.ferrymq.broker.queue.classic;

import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.queue.QueueDeclaration;
import dev.ferrymq.broker.queue.QueueHost;
import dev.ferrymq.broker.queue.QueueType;

/** The classic queue: one node, messages in memory, paged to disk, persistent ones in the store. Stateless. */
public final class ClassicQueueType implements QueueType {
    public static final ClassicQueueType INSTANCE = new ClassicQueueType();

    private ClassicQueueType() {
    }

    @Override
    public String name() {
        return "classic";
    }

    @Override
    public Queue create(QueueHost host, QueueDeclaration declaration) {
        return new ClassicQueue(host, declaration);
    }
}
