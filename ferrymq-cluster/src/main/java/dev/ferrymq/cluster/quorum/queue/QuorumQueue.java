package dev.ferrymq.cluster.quorum.queue;

import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.PublishBatch;
import dev.ferrymq.broker.queue.AbstractQueue;
import dev.ferrymq.broker.queue.DeadLetter;
import dev.ferrymq.broker.queue.DeadLetterSink;
import dev.ferrymq.broker.queue.QueueConsumer;
import dev.ferrymq.broker.queue.QueueDeclaration;
import dev.ferrymq.broker.queue.QueueEntry;
import dev.ferrymq.broker.queue.QueueHost;
import dev.ferrymq.broker.queue.QueuePolicies;
import dev.ferrymq.broker.queue.QueueType;
import dev.ferrymq.cluster.quorum.ConsumerId;
import dev.ferrymq.cluster.quorum.Effect;
import dev.ferrymq.cluster.quorum.QueueCommand;
import dev.ferrymq.cluster.quorum.QueueStats;
import dev.ferrymq.cluster.quorum.Reply;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongPredicate;

/**
 * A quorum queue as this node's virtual host sees it: every operation is a command proposed to the queue's Raft
 * group through this node's {@link GroupClient}; what the replicated state decides comes back as effects
 * ({@link QuorumReplica}). Publishes confirm when committed ({@link PublishBatch#replicated}); deliveries to this
 * node's consumers come from its own replica, whichever node leads. Thread-safe.
 */
final class QuorumQueue extends AbstractQueue {
    private static final Logger log = LoggerFactory.getLogger(QuorumQueue.class);
    static final Set<String> OWN_ARGUMENTS = Set.of(QuorumQueueType.DELIVERY_LIMIT, QuorumQueueType.INITIAL_GROUP_SIZE);

    private final QuorumQueueType type;
    private final QuorumQueues node;
    private final QuorumReplica replica;
    private final GroupClient client;
    private final Map<ConsumerId, LocalConsumer> consumers = new ConcurrentHashMap<>();
    /** basic.get callers waiting for their message, by the getter id they proposed. */
    private final Map<ConsumerId, CompletableFuture<Effect.Deliver>> gets = new ConcurrentHashMap<>();
    private volatile boolean deleted;
    private volatile boolean deletedElsewhere;

    QuorumQueue(QuorumQueueType type, QueueHost host, QueueDeclaration declaration, QuorumQueues node,
                QuorumReplica replica, GroupClient client) {
        super(host, declaration, QuorumQueueType.commonSettings(declaration.arguments(),
                "queue '" + declaration.name() + "' in vhost '" + host.vhost().name() + "'"));
        this.type = type;
        this.node = node;
        this.replica = replica;
        this.client = client;
    }

    GroupClient client() {
        return client;
    }

    QuorumReplica replica() {
        return replica;
    }

    @Override
    public QueueType type() {
        return type;
    }

    /** Its messages live in the Raft log of its group, not in the node's message store. */
    @Override
    public boolean keepsPersistentMessages() {
        return false;
    }

    // ---------------------------------------------------------------- messages

    @Override
    public boolean publish(Message message, long storedAt, PublishBatch batch, DeadLetterSink deadLetters) {
        QueueCommand.Enqueue enqueue = new QueueCommand.Enqueue(node.publisherId(), 0, message.priority(), -1,
                MessageCodec.encode(message));
        if (batch == null) {
            client.propose(enqueue);
            return true;
        }
        batch.replicationStarted();
        client.propose(enqueue).whenComplete((reply, failure) -> batch.replicated(failure == null && reply.accepted()));
        return true;
    }

    @Override
    public QueueEntry get(boolean noAck) {
        ConsumerId getter = node.newGetterId();
        CompletableFuture<Effect.Deliver> delivered = new CompletableFuture<>();
        gets.put(getter, delivered);
        try {
            Reply reply = client.proposeAndWait(new QueueCommand.Dequeue(getter, noAck), toString());
            if (reply.code() == Reply.Code.EMPTY) {
                return null;
            }
            // the reply comes from the leader; this node's replica may apply the entry a little later
            return entry(delivered.get(LOCAL_APPLY_WAIT_SECONDS, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BrokerException.preconditionFailed(this + ": basic.get interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw BrokerException.preconditionFailed(this + ": this node's replica did not apply basic.get in time");
        } finally {
            gets.remove(getter);
        }
    }

    private static final long LOCAL_APPLY_WAIT_SECONDS = 10;

    boolean isGet(ConsumerId consumer) {
        return gets.containsKey(consumer);
    }

    /** A basic.get's message, kept on Ratis' apply thread before the reply reaches the waiting caller. */
    void gotten(Effect.Deliver delivered) {
        CompletableFuture<Effect.Deliver> waiting = gets.get(delivered.consumer());
        if (waiting != null) {
            waiting.complete(delivered);
        }
    }

    @Override
    public void settle(QueueEntry entry) {
        settleAll(List.of(entry));
    }

    @Override
    public void settleAll(List<QueueEntry> entries) {
        byHolder(entries).forEach((holder, ids) -> client.propose(new QueueCommand.Settle(holder, ids)));
    }

    @Override
    public void reject(QueueEntry entry) {
        QuorumEntry quorum = (QuorumEntry) entry;
        client.propose(new QueueCommand.Discard(quorum.holder, List.of(quorum.seq())));
    }

    @Override
    public void requeue(List<QueueEntry> entries) {
        byHolder(entries).forEach((holder, ids) -> client.propose(new QueueCommand.Return(holder, ids)));
    }

    private static Map<ConsumerId, List<Long>> byHolder(List<QueueEntry> entries) {
        Map<ConsumerId, List<Long>> ids = new LinkedHashMap<>();
        for (QueueEntry entry : entries) {
            QuorumEntry quorum = (QuorumEntry) entry;
            ids.computeIfAbsent(quorum.holder, holder -> new ArrayList<>()).add(quorum.seq());
        }
        return ids;
    }

    @Override
    public int purge() {
        return (int) client.proposeAndWait(new QueueCommand.Purge(), toString()).value();
    }

    // ---------------------------------------------------------------- consumers

    @Override
    public void addConsumer(QueueConsumer consumer, boolean exclusiveUse) {
        if (deleted) {
            throw BrokerException.notFound("no " + this);
        }
        ConsumerId id = node.newConsumerId(consumer.tag());
        LocalConsumer local = new LocalConsumer(id, consumer, exclusiveUse);
        consumers.put(id, local);
        Reply reply = client.proposeAndWait(local.checkout(), toString());
        if (reply.code() == Reply.Code.CONSUMER_REFUSED) {
            consumers.remove(id);
            throw BrokerException.accessRefused("queue '" + name + "' in vhost '" + vhost.name()
                    + "' in exclusive use");
        }
    }

    @Override
    public void removeConsumer(QueueConsumer consumer) {
        for (LocalConsumer local : consumers.values()) {
            if (local.consumer == consumer) {
                consumers.remove(local.id);
                client.propose(new QueueCommand.Cancel(local.id));
                List<Long> neverHandedOver = local.close();
                if (!neverHandedOver.isEmpty()) {
                    client.propose(new QueueCommand.Return(local.id, neverHandedOver));
                }
            }
        }
    }

    @Override
    public QueueConsumer activeConsumer() {
        return null;
    }

    @Override
    public void dispatch() {
        for (LocalConsumer local : consumers.values()) {
            local.drain(this::settle);
        }
    }

    /**
     * The replicated state dropped one of this node's consumers without its channel asking: a NodeDown for this
     * node (it was cut off from the leader for a while) returned what it held. A consumer the channel still has
     * is checked out again; what it was given before is redelivered, to it or another consumer.
     */
    void consumerGone(ConsumerId id) {
        LocalConsumer local = consumers.get(id);
        if (local == null) {
            return; // cancelled by its channel, or a consumer of an earlier run of this node
        }
        local.forgetWaiting();
        client.propose(local.checkout()).whenComplete((reply, failure) -> {
            if (failure != null || reply.code() != Reply.Code.OK) {
                log.warn("{}: consumer {} could not be checked out again after its node was cut off: {}", this,
                        id.tag(), failure != null ? failure.toString() : reply.code());
            }
        });
    }

    /** A message the replicated state checked out to one of this node's consumers. */
    void deliver(Effect.Deliver delivered) {
        LocalConsumer local = consumers.get(delivered.consumer());
        if (local == null) {
            if (node.isThisProcess(delivered.consumer())) { // cancelled meanwhile: give it back to the others
                client.propose(new QueueCommand.Return(delivered.consumer(), List.of(delivered.messageId())));
            }
            return;
        }
        if (!local.offer(entry(delivered), this::settle)) { // cancelled meanwhile
            client.propose(new QueueCommand.Return(delivered.consumer(), List.of(delivered.messageId())));
        }
    }

    private QuorumEntry entry(Effect.Deliver delivered) {
        Message message = MessageCodec.withDeliveryCount(MessageCodec.decode(delivered.content()),
                delivered.deliveryCount(), vhost.propertiesCodec());
        return new QuorumEntry(this, delivered.consumer(), delivered.messageId(), message, delivered.redelivered());
    }

    /** Dead-letters on the leader (the state machine's at-most-once rule), through the vhost's dead-letter path. */
    void deadLetter(Effect.DeadLetter dead) {
        if (!settings.deadLetters()) {
            return;
        }
        host.deadLetter(DeadLetter.of(MessageCodec.decode(dead.content()), name, dead.reason().wireName(),
                settings.deadLetterExchange(), settings.deadLetterRoutingKey(), vhost.propertiesCodec()));
    }

    @Override
    public boolean congested() {
        return false;
    }

    @Override
    public void whenUncongested(Runnable listener) {
        listener.run();
    }

    // ---------------------------------------------------------------- info

    private QueueStats stats() {
        return replica.stateMachine.stats();
    }

    @Override
    public int messageCount() {
        return stats().ready();
    }

    @Override
    public int unackedCount() {
        return stats().checkedOut();
    }

    @Override
    public int consumerCount() {
        return stats().consumers();
    }

    @Override
    public Map<String, Object> details() {
        return node.describe(this);
    }

    @Override
    public boolean isDeleted() {
        return deleted;
    }

    // ---------------------------------------------------------------- life cycle

    @Override
    public void touch() {
    }

    @Override
    public void applyPolicies(QueuePolicies applicable) {
        usePolicies(applicable); // dead-lettering reads them; the replicated limits keep their declared values
    }

    @Override
    public List<QueueConsumer> delete() {
        if (!deleted) {
            deleted = true;
            if (!deletedElsewhere) {
                client.proposeAndWait(new QueueCommand.Delete(), toString());
                node.removeGroup(this);
            }
        }
        List<QueueConsumer> cancelled = new ArrayList<>();
        consumers.values().forEach(local -> cancelled.add(local.consumer));
        consumers.clear();
        return cancelled;
    }

    /** Another node deleted it: leave this node's virtual host too, telling this node's consumers. */
    void deletedElsewhere() {
        if (deleted) {
            return;
        }
        deletedElsewhere = true;
        host.deleteUnused(this);
    }

    @Override
    public long recover(LongPredicate inStore) throws IOException {
        return 0; // its group recovers it from the Raft log
    }
}
