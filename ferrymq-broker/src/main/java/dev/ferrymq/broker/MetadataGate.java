package dev.ferrymq.broker;

import dev.ferrymq.broker.metadata.MetadataCommand;
import dev.ferrymq.broker.metadata.MetadataReplication;
import dev.ferrymq.broker.queue.RemoteQueues;

/**
 * Where a metadata change decides whether to run here or be replicated. Without a {@link MetadataReplication}
 * (a single node) nothing is ever proposed and every change runs as before. In a cluster, a change made by a
 * client (AMQP, management API, definitions import) is proposed, and {@link Broker#applyReplicated} runs it
 * when the log delivers it: on that (apply) thread {@link #proposes()} is false, so the same methods change the
 * broker directly. A proposer must hold no broker or vhost lock while it waits (the apply thread needs them).
 * Thread-safe.
 */
final class MetadataGate {
    private static final ThreadLocal<Boolean> APPLYING = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private volatile MetadataReplication replication;
    private volatile RemoteQueues remoteQueues;

    void use(MetadataReplication replication) {
        this.replication = replication;
    }

    void use(RemoteQueues remoteQueues) {
        this.remoteQueues = remoteQueues;
    }

    /** Where classic queues live in the cluster, or null (a single node, or queues not replicated). */
    RemoteQueues remoteQueues() {
        return remoteQueues;
    }

    /** Whether a change made on this thread now must be proposed rather than made here. */
    boolean proposes() {
        return replication != null && !APPLYING.get();
    }

    /** Whether this thread is applying a change the replicated log delivered. */
    boolean applying() {
        return APPLYING.get();
    }

    /** Replicates the change; returns its answer (null or a Boolean) or throws its refusal. */
    Object propose(MetadataCommand command) {
        return replication.replicate(command);
    }

    /** Runs a change the replicated log delivered, changing the broker directly. */
    static Object applying(MetadataCommand command, Broker broker) {
        APPLYING.set(Boolean.TRUE);
        try {
            return command.applyTo(broker);
        } finally {
            APPLYING.set(Boolean.FALSE);
        }
    }
}
