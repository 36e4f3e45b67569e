package dev.ferrymq.cluster.quorum.queue;

import dev.ferrymq.broker.Broker;
import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.broker.persistence.ArgumentsCodec;
import dev.ferrymq.broker.queue.QueueDeclaration;
import dev.ferrymq.broker.queue.QueueHost;
import dev.ferrymq.cluster.ClusterNode;
import dev.ferrymq.cluster.quorum.ConsumerId;
import dev.ferrymq.cluster.quorum.Effect;
import dev.ferrymq.cluster.quorum.PublisherId;
import dev.ferrymq.cluster.quorum.QueueCommand;
import dev.ferrymq.cluster.quorum.QueueConfig;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.statemachine.StateMachine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * This node's quorum queues: the replica of each group the node's Raft server hosts (created when Ratis asks
 * {@link #stateMachineFor}), the queues registered in the local virtual hosts, the one thread that carries out
 * their effects, and the ids of this process's consumers and publishers. Thread-safe.
 *
 * <p>Ids: a consumer is {@code (node, process, serial, tag)} with a random number per process, so a consumer
 * of an earlier run of this node, whose deliveries a restarted replica applies again, is never taken for a new one.
 */
public final class QuorumQueues {
    private static final Logger log = LoggerFactory.getLogger(QuorumQueues.class);

    private final String nodeName;
    private final Broker broker;
    private final long process = new SecureRandom().nextLong() & Long.MAX_VALUE;
    private final AtomicInteger serials = new AtomicInteger();
    private final Map<RaftGroupId, QuorumReplica> replicas = new ConcurrentHashMap<>();
    private final ExecutorService effects = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "quorum-queue-effects");
        thread.setDaemon(true);
        return thread;
    });
    /** Sends every group's proposals, in order, off the Ratis client threads ({@link ProposalBatcher}). */
    private final ExecutorService proposals = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "quorum-queue-proposals");
        thread.setDaemon(true);
        return thread;
    });
    private final QuorumGroups groups;
    private final List<Effect.Declared> registeredBeforeStart = new ArrayList<>(); // guarded by this

    public QuorumQueues(String nodeName, Broker broker) {
        this.nodeName = nodeName;
        this.broker = broker;
        this.groups = new QuorumGroups(nodeName);
    }

    /** Once the node's Raft server runs: where groups are created and removed, and which nodes are lost. */
    public void start(ClusterNode cluster) {
        List<Effect.Declared> early;
        synchronized (this) {
            groups.start(cluster);
            early = List.copyOf(registeredBeforeStart);
            registeredBeforeStart.clear();
        }
        early.forEach(declared -> effects.execute(() -> register(declared)));
        new NodeWatch(this, cluster).start();
    }

    /** Runs {@code action} for each queue attached on this node whose group this node currently leads. */
    void forEachLedQueue(Consumer<QuorumQueue> action) {
        for (QuorumReplica replica : replicas.values()) {
            QuorumQueue queue = replica.queue();
            if (queue != null && replica.stateMachine.isLeader() && !queue.isDeleted()) {
                action.accept(queue);
            }
        }
    }

    /** The resolver for {@code GroupStateMachines}: a replica for each quorum queue group, null for others. */
    public StateMachine stateMachineFor(RaftGroupId groupId) {
        if (!QuorumGroupIds.isQuorumQueue(groupId)) {
            return null;
        }
        // asked before start(): Ratis found the group in this node's storage, so an earlier run of the node
        // may have left consumers holding messages
        boolean recovered = !groups.started();
        return replicas.computeIfAbsent(groupId, id -> new QuorumReplica(this, id, recovered)).stateMachine;
    }

    /**
     * The queue for a declaration on this node: attached to its group's replica when the group already reached
     * this node, else a new group ({@code groupSize} voters, 0 for the default) whose first entry declares it.
     */
    QuorumQueue open(QuorumQueueType type, QueueHost host, QueueDeclaration declaration, QueueConfig config,
                     int groupSize) {
        RaftGroupId id = QuorumGroupIds.of(host.vhost().name(), declaration.name());
        QuorumReplica replica = replicas.get(id);
        if (replica != null) {
            return attach(type, host, declaration, replica);
        }
        groups.create(id, groupSize);
        replica = replicas.get(id);
        if (replica == null) {
            throw BrokerException.preconditionFailed("queue '" + declaration.name() + "' in vhost '"
                    + host.vhost().name() + "': its Raft group did not start on this node");
        }
        QuorumQueue queue = attach(type, host, declaration, replica);
        queue.client().proposeAndWait(new QueueCommand.Declare(host.vhost().name(), declaration.name(),
                ArgumentsCodec.encode(declaration.arguments()), config), queue.toString());
        return queue;
    }

    private QuorumQueue attach(QuorumQueueType type, QueueHost host, QueueDeclaration declaration,
                               QuorumReplica replica) {
        QuorumQueue queue = new QuorumQueue(type, host, declaration, this, replica,
                new GroupClient(groups.groupOf(replica.groupId), () -> groups.leaderOf(replica.groupId),
                        proposals));
        if (replica.attach(queue)) {
            // NodeDown for this node's earlier run: what its consumers held goes back to the queue, redelivered
            queue.client().propose(new QueueCommand.NodeDown(nodeName));
        }
        return queue;
    }

    /**
     * A Declare entry (or a snapshot holding one) reached this node's replica: register the queue in the local
     * virtual host. Ratis replays a recovered group's log while the node starts, before its server is ready for
     * the queue's client; such a registration waits for {@link #start}, or the restarted node would answer 404 for
     * the queue and route nothing to it.
     */
    void register(Effect.Declared declared) {
        synchronized (this) {
            if (!groups.started()) {
                registeredBeforeStart.add(declared);
                return;
            }
        }
        VirtualHost vhost = broker.virtualHost(declared.vhost());
        if (vhost == null) {
            log.warn("quorum queue '{}' declared in vhost '{}', which this node does not have", declared.name(),
                    declared.vhost());
            return;
        }
        try {
            vhost.declareQueue(declared.name(), false, true, false, false,
                    ArgumentsCodec.decode(declared.arguments()), null);
        } catch (BrokerException e) {
            log.warn("cannot register quorum queue '{}' in vhost '{}' on this node: {}", declared.name(),
                    declared.vhost(), e.getMessage());
        }
    }

    /** After its Delete entry: removes the queue's group from every node, off the caller's thread. */
    void removeGroup(QuorumQueue queue) {
        effects.execute(() -> groups.remove(queue.replica().groupId));
        try {
            queue.client().close();
        } catch (IOException e) {
            log.debug("closing the client of {} failed", queue, e);
        }
    }

    Map<String, Object> describe(QuorumQueue queue) {
        return groups.describe(queue.replica().groupId);
    }

    void forget(QuorumReplica replica) {
        replicas.remove(replica.groupId, replica);
    }

    ExecutorService effects() {
        return effects;
    }

    String name() {
        return nodeName;
    }

    PublisherId publisherId() {
        return new PublisherId(nodeName, process, 0);
    }

    ConsumerId newConsumerId(String tag) {
        return new ConsumerId(nodeName, process, serials.incrementAndGet(), tag);
    }

    /** A basic.get caller: the empty tag no consumer can have. */
    ConsumerId newGetterId() {
        return newConsumerId("");
    }

    boolean isThisProcess(ConsumerId consumer) {
        return consumer.node().equals(nodeName) && consumer.connection() == process;
    }
}
