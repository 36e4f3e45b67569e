package dev.ferrymq.cluster.quorum.queue;

import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.queue.QueueArguments;
import dev.ferrymq.broker.queue.QueueDeclaration;
import dev.ferrymq.broker.queue.QueueHost;
import dev.ferrymq.broker.queue.QueueType;
import dev.ferrymq.cluster.quorum.Overflow;
import dev.ferrymq.cluster.quorum.QueueConfig;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code x-queue-type: quorum}, installed when the node runs in a cluster: checks the declaration as RabbitMQ does
 * (durable, not exclusive, not auto-delete: 406 with RabbitMQ's texts) and has {@link QuorumQueues} create the
 * queue's Raft group, or attach to it when it already reached this node.
 */
public final class QuorumQueueType implements QueueType {
    public static final String NAME = "quorum";
    static final String DELIVERY_LIMIT = "x-delivery-limit";
    static final String INITIAL_GROUP_SIZE = "x-quorum-initial-group-size";

    private final QuorumQueues queues;

    public QuorumQueueType(QuorumQueues queues) {
        this.queues = queues;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Queue create(QueueHost host, QueueDeclaration declaration) {
        String queue = "queue '" + declaration.name() + "' in vhost '" + host.vhost().name() + "'";
        // RabbitMQ 3.10 checks them in this order (rabbit_quorum_queue:declare)
        if (declaration.autoDelete()) {
            throw BrokerException.preconditionFailed("invalid property 'auto-delete' for " + queue);
        }
        if (declaration.exclusive()) {
            throw BrokerException.preconditionFailed("invalid property 'exclusive-owner' for " + queue);
        }
        if (!declaration.durable()) {
            throw BrokerException.preconditionFailed("invalid property 'non-durable' for " + queue);
        }
        Map<String, Object> arguments = declaration.arguments();
        int groupSize = (int) positive(arguments, INITIAL_GROUP_SIZE, queue, 0);
        return queues.open(this, host, declaration, config(arguments, queue), groupSize);
    }

    /** The replicated limits; the dead-letter exchange and the rest are read from the queue's settings. */
    private static QueueConfig config(Map<String, Object> arguments, String queue) {
        QueueArguments common = commonSettings(arguments, queue);
        int deliveryLimit = (int) positive(arguments, DELIVERY_LIMIT, queue, QueueConfig.DEFAULT_DELIVERY_LIMIT);
        Overflow overflow = common.overflow() == QueueArguments.Overflow.DROP_HEAD ? Overflow.DROP_HEAD
                : Overflow.REJECT_PUBLISH;
        return new QueueConfig(deliveryLimit, common.maxLength(), common.maxLengthBytes(), overflow,
                common.messageTtl(), common.singleActiveConsumer());
    }

    /** The arguments a quorum queue shares with a classic one, parsed (406 when invalid); its own left out. */
    static QueueArguments commonSettings(Map<String, Object> arguments, String queue) {
        return QueueArguments.parse(withoutOwn(arguments), queue);
    }

    private static Map<String, Object> withoutOwn(Map<String, Object> arguments) {
        Map<String, Object> common = new LinkedHashMap<>(arguments);
        common.keySet().removeAll(QuorumQueue.OWN_ARGUMENTS);
        return common;
    }

    private static long positive(Map<String, Object> arguments, String name, String queue, long absent) {
        Object value = arguments.get(name);
        if (value == null) {
            return absent;
        }
        if (!(value instanceof Number number) || value instanceof Float || value instanceof Double
                || number.longValue() <= 0) {
            throw BrokerException.preconditionFailed("invalid arg '" + name + "' for " + queue
                    + ": must be a positive integer");
        }
        return number.longValue();
    }
}
