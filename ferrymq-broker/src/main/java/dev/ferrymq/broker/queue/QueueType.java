package dev.ferrymq.broker.queue;

/**
 * A kind of queue ({@code x-queue-type}), as RabbitMQ's {@code rabbit_queue_type}: its name and a factory that
 * checks the declaration's arguments and creates the queue. Registered in {@link QueueTypes}. Implementations are
 * stateless and thread-safe.
 */
public interface QueueType {
    /** The {@code x-queue-type} value that selects it, e.g. "classic". */
    String name();

    /** Creates the queue, or throws a 406 {@code BrokerException} when an argument is invalid for this type. */
    Queue create(QueueHost host, QueueDeclaration declaration);
}
