package dev.ferrymq.broker.queue.stream;

import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.queue.QueueDeclaration;
import dev.ferrymq.broker.queue.QueueHost;
import dev.ferrymq.broker.queue.QueueType;

/** The stream queue type ({@code x-queue-type: stream}): one node, an append-only log on disk. Stateless. */
public final class StreamQueueType implements QueueType {
    public static final StreamQueueType INSTANCE = new StreamQueueType();

    private StreamQueueType() {
    }

    @Override
    public String name() {
        return "stream";
    }

    @Override
    public Queue create(QueueHost host, QueueDeclaration declaration) {
        String description = "queue '" + declaration.name() + "' in vhost '" + host.vhost().name() + "'";
        return new StreamQueue(host, declaration, StreamArguments.check(declaration, description));
    }
}
