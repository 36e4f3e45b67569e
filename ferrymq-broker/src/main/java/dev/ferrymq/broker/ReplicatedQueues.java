package dev.ferrymq.broker;

import static dev.ferrymq.broker.DeclarationChecks.checkNotReserved;

import dev.ferrymq.broker.VirtualHost.DeclaredQueue;
import dev.ferrymq.broker.metadata.MetadataCommand;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.queue.QueueTypes;
import dev.ferrymq.broker.queue.classic.ClassicQueueType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Classic queues as cluster metadata, the proposing side (RabbitMQ keeps a classic queue's declaration, with its
 * home node, in its metadata store; the queue itself stays on that node). On a clustered node that serves remote
 * queues, declaring a classic queue that is not exclusive, deleting it and binding it are proposed to the metadata
 * log instead of done here; every node applies them ({@link VirtualHost#declareReplicatedQueue}), the home node
 * with the queue itself, the others with a proxy. Exclusive queues (and streams) stay on their node.
 *
 * <p>What depends on the queue's messages and consumers (if-unused, if-empty, the counts of declare-ok and
 * delete-ok) is read here, on the proposer, from the queue or its proxy, and the proposal itself is unconditional:
 * every node then applies the same change. Stateless.
 */
final class ReplicatedQueues {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicatedQueues.class);

    private ReplicatedQueues() {
    }

    /** Whether a (non-passive) declaration of such a queue, made on this thread, is proposed. */
    static boolean proposesDeclare(MetadataGate gate, boolean exclusive, Map<String, Object> args, String queueName,
                                   String vhost) {
        return !exclusive && gate.proposes() && gate.remoteQueues() != null
                && QueueTypes.select(args, "queue '" + queueName + "' in vhost '" + vhost + "'")
                == ClassicQueueType.INSTANCE;
    }

    /** Whether a change to {@code queue} (may be null), made on this thread, is proposed. */
    static boolean proposesChangeTo(MetadataGate gate, Queue queue) {
        return queue != null && gate.proposes() && isReplicated(gate, queue);
    }

    /** Whether {@code queue} is one of the cluster's replicated classic queues (or a proxy of one). */
    static boolean isReplicated(MetadataGate gate, Queue queue) {
        return gate.remoteQueues() != null && !queue.exclusive() && queue.type() == ClassicQueueType.INSTANCE;
    }

    static DeclaredQueue declare(VirtualHost vhost, MetadataGate gate, String queueName, boolean durable,
                                 boolean autoDelete, Map<String, Object> args, int maxQueues) {
        if (maxQueues > 0 && vhost.queues().size() >= maxQueues && vhost.findQueue(queueName) == null) {
            throw BrokerException.preconditionFailed("cannot declare queue '" + queueName + "': queue limit in vhost '"
                    + vhost.name() + "' (" + maxQueues + ") is reached");
        }
        String name = queueName;
        if (name.isEmpty()) {
            name = VirtualHost.generateQueueName();
        } else if (vhost.findQueue(name) == null) {
            checkNotReserved("queue", name);
        }
        gate.propose(new MetadataCommand.DeclareQueue(vhost.name(), name, durable, autoDelete,
                args == null ? Map.of() : args, gate.remoteQueues().localNode()));
        Queue queue = vhost.queue(name, null);
        queue.checkReachable(); // 404 when its home node is down, as RabbitMQ answers
        return new DeclaredQueue(queue, queue.messageCount(), queue.consumerCount());
    }

    /** queue.delete: returns the ready messages it had. */
    static int delete(MetadataGate gate, Queue queue, boolean ifUnused, boolean ifEmpty) {
        queue.checkReachable();
        int messages = queue.messageCount();
        if (ifUnused && queue.consumerCount() > 0) {
            throw BrokerException.preconditionFailed(queue + " in use");
        }
        if (ifEmpty && messages > 0) {
            throw BrokerException.preconditionFailed(queue + " not empty");
        }
        gate.propose(new MetadataCommand.DeleteQueue(queue.vhost().name(), queue.name()));
        return messages;
    }

    /**
     * An auto-delete queue lost its last consumer, or an x-expires one went unused, on its home node: the delete
     * is proposed off the caller's thread (a consumer's channel or a timer, which must not wait for the log).
     */
    static void deleteLater(MetadataGate gate, Queue queue) {
        CompletableFuture.runAsync(() -> gate.propose(new MetadataCommand.DeleteQueue(queue.vhost().name(),
                queue.name()))).exceptionally(failure -> {
                    LOG.warn("{} went unused but its deletion could not be replicated: {}", queue, failure.toString());
                    return null;
                });
    }

    static void bind(MetadataGate gate, boolean bind, String vhost, String queueName, String exchangeName,
                     String routingKey, Map<String, Object> args) {
        gate.propose(new MetadataCommand.BindQueue(bind, vhost, queueName, exchangeName, routingKey,
                args == null ? Map.of() : args));
    }
}
