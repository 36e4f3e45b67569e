package dev.ferrymq.broker;

import dev.ferrymq.broker.metadata.MetadataCommand;
import dev.ferrymq.broker.persistence.Definition;
import dev.ferrymq.broker.persistence.Persistence;
import dev.ferrymq.broker.publish.DirectReplyTo;
import dev.ferrymq.broker.publish.MessageRouter;
import dev.ferrymq.broker.publish.PublishResult;
import dev.ferrymq.broker.publish.Publisher;
import dev.ferrymq.broker.queue.ExclusiveOwner;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.queue.QueueConsumer;
import dev.ferrymq.broker.queue.QueueDeclaration;
import dev.ferrymq.broker.queue.QueueHost;
import dev.ferrymq.broker.queue.QueueTypes;
import dev.ferrymq.broker.queue.RemoteQueues;
import dev.ferrymq.broker.routing.Destination;
import dev.ferrymq.broker.routing.Router;

import static dev.ferrymq.broker.DeclarationChecks.checkExclusiveAccess;
import static dev.ferrymq.broker.DeclarationChecks.checkNotDefaultExchange;
import static dev.ferrymq.broker.DeclarationChecks.checkNotReserved;
import static dev.ferrymq.broker.DeclarationChecks.checkRedeclaredExchange;
import static dev.ferrymq.broker.DeclarationChecks.checkRedeclaredQueue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A virtual host: its topology (exchanges, queues, bindings) and policies. Messages come in through its
 * {@link Publisher}, which routes them with a {@link MessageRouter}; direct reply-to lives in {@link DirectReplyTo}.
 *
 * <p>Thread-safety: topology changes (declare, delete, bind, unbind) synchronize on the virtual host; routing a
 * message takes no virtual-host lock and reads the concurrent maps and the routers' snapshots. Lock order is
 * virtual host, then queue.
 */
public final class VirtualHost {
    /** The pseudo-queue of direct reply-to ({@link DirectReplyTo#ADDRESS}). */
    public static final String DIRECT_REPLY_TO = DirectReplyTo.ADDRESS;

    private final String name;
    private final Persistence persistence;
    private volatile PropertiesCodec propertiesCodec = PropertiesCodec.OPAQUE;
    private final Map<String, Exchange> exchanges = new ConcurrentHashMap<>();
    private final Map<String, Queue> queues = new ConcurrentHashMap<>();
    private final Policies policies = new Policies();
    private final DirectReplyTo directReplyTo = new DirectReplyTo();
    private final Publisher publisher;
    private final BindingChanges bindings;
    private final PolicyChanges policyChanges;
    private volatile MetadataGate gate = new MetadataGate(); // the broker's, once it is in one

    /** An in-memory virtual host: nothing is persisted. */
    public VirtualHost(String name) {
        this(name, null);
    }

    /** @param persistence where durable entities and persistent messages go, or null to keep all in memory */
    public VirtualHost(String name, Persistence persistence) {
        this(name, persistence, new MessageCounters());
    }

    /** @param counters the broker-wide counters its publisher counts published messages in */
    public VirtualHost(String name, Persistence persistence, MessageCounters counters) {
        this.name = name;
        this.persistence = persistence;
        this.bindings = new BindingChanges(this);
        this.policyChanges = new PolicyChanges(this, policies);
        this.publisher = new Publisher(this, new MessageRouter(this), directReplyTo, counters);
        declareBuiltIn("amq.direct", "direct");
        declareBuiltIn("amq.fanout", "fanout");
        declareBuiltIn("amq.topic", "topic");
        declareBuiltIn("amq.headers", "headers");
        declareBuiltIn("amq.match", "headers");
    }

    private void declareBuiltIn(String exchangeName, String type) {
        exchanges.put(exchangeName, new Exchange(exchangeName, type, true, false, false, Map.of(),
                Router.forType(type)));
    }

    public String name() {
        return name;
    }

    public Persistence persistence() {
        return persistence;
    }

    /** How the broker reads and rewrites message properties (publishing, dead-lettering). */
    public PropertiesCodec propertiesCodec() {
        return propertiesCodec;
    }

    void usePropertiesCodec(PropertiesCodec codec) {
        propertiesCodec = codec;
    }

    void useMetadataGate(MetadataGate gate) {
        this.gate = gate;
    }

    // ---------------------------------------------------------------- exchanges

    public Exchange declareExchange(String exchangeName, String type, boolean passive, boolean durable,
                                    boolean autoDelete, boolean internal, Map<String, Object> args) {
        if (!passive && gate.proposes()) {
            gate.propose(new MetadataCommand.DeclareExchange(name, exchangeName, type, durable, autoDelete, internal,
                    args == null ? Map.of() : args));
            return exchanges.get(exchangeName);
        }
        return declareExchangeHere(exchangeName, type, passive, durable, autoDelete, internal, args);
    }

    private synchronized Exchange declareExchangeHere(String exchangeName, String type, boolean passive,
                                                      boolean durable, boolean autoDelete, boolean internal,
                                                      Map<String, Object> args) {
        Router router = passive ? null : Router.forType(type);
        if (!passive && router == null) {
            // RabbitMQ checks the type first and closes the connection for an unknown one.
            throw BrokerException.commandInvalid("unknown exchange type '" + type + "'");
        }
        checkNotDefaultExchange(exchangeName);
        Exchange existing = exchanges.get(exchangeName);
        if (passive) {
            if (existing == null) {
                throw BrokerException.notFound("no exchange '" + exchangeName + "' in vhost '" + name + "'");
            }
            return existing;
        }
        if (existing == null) {
            checkNotReserved("exchange", exchangeName);
            Exchange created = new Exchange(exchangeName, type, durable, autoDelete, internal, args, router);
            exchanges.put(exchangeName, created);
            if (durable) {
                record(new Definition.ExchangeDeclared(name, exchangeName, type, autoDelete, internal, args));
            }
            return created;
        }
        checkRedeclaredExchange(existing, name, type, durable, autoDelete, internal, args);
        return existing;
    }

    /** exchange.delete: the default and amq.* exchanges are refused, whether they exist or not (RabbitMQ). */
    public void deleteExchange(String exchangeName, boolean ifUnused) {
        if (gate.proposes()) {
            gate.propose(new MetadataCommand.DeleteExchange(name, exchangeName, ifUnused));
            return;
        }
        deleteExchangeHere(exchangeName, ifUnused);
    }

    private synchronized void deleteExchangeHere(String exchangeName, boolean ifUnused) {
        checkNotDefaultExchange(exchangeName);
        if (exchangeName.startsWith("amq.")) {
            throw BrokerException.accessRefused("deletion of system exchange '" + exchangeName + "' in vhost '"
                    + name + "' not allowed");
        }
        Exchange exchange = exchanges.get(exchangeName);
        if (exchange == null) {
            return; // deleting what is not there succeeds, as in RabbitMQ
        }
        if (ifUnused && !exchange.router().isEmpty()) {
            throw BrokerException.preconditionFailed("exchange '" + exchangeName + "' in vhost '" + name
                    + "' in use");
        }
        removeExchange(exchange);
    }

    private void removeExchange(Exchange exchange) {
        exchanges.remove(exchange.name(), exchange);
        if (exchange.durable()) {
            record(new Definition.ExchangeDeleted(name, exchange.name()));
        }
        removeBindingsTo(exchange);
    }

    public Exchange exchange(String exchangeName) {
        Exchange exchange = exchanges.get(exchangeName);
        if (exchange == null) {
            throw BrokerException.notFound("no exchange '" + exchangeName + "' in vhost '" + name + "'");
        }
        return exchange;
    }

    /** The exchange of that name, or null. */
    public Exchange findExchange(String exchangeName) {
        return exchanges.get(exchangeName);
    }

    public Collection<Exchange> exchanges() {
        return exchanges.values();
    }

    // ---------------------------------------------------------------- queues

    /** The result of queue.declare: the queue and its counts at the time. */
    public record DeclaredQueue(Queue queue, int messageCount, int consumerCount) {
    }

    public DeclaredQueue declareQueue(String queueName, boolean passive, boolean durable, boolean exclusive,
                                      boolean autoDelete, Map<String, Object> args, ExclusiveOwner connection) {
        return declareQueue(queueName, passive, durable, exclusive, autoDelete, args, connection, 0);
    }

    /**
     * queue.declare with RabbitMQ's vhost max-queues limit ({@code maxQueues}, 0 for none): declaring a new
     * queue beyond it is 406 PRECONDITION_FAILED. The check and the creation are one step under the vhost lock.
     */
    public DeclaredQueue declareQueue(String queueName, boolean passive, boolean durable, boolean exclusive,
                                      boolean autoDelete, Map<String, Object> args, ExclusiveOwner connection,
                                      int maxQueues) {
        if (passive) {
            Queue queue = queue(queueName, connection);
            queue.touch(); // any declaration renews x-expires, as in RabbitMQ
            queue.checkReachable();
            return new DeclaredQueue(queue, queue.messageCount(), queue.consumerCount());
        }
        if (ReplicatedQueues.proposesDeclare(gate, exclusive, args, queueName, name)) {
            return ReplicatedQueues.declare(this, gate, queueName, durable, autoDelete, args, maxQueues);
        }
        return declareQueueHere(queueName, durable, exclusive, autoDelete, args, connection, maxQueues);
    }

    private synchronized DeclaredQueue declareQueueHere(String queueName, boolean durable, boolean exclusive,
                                                        boolean autoDelete, Map<String, Object> args,
                                                        ExclusiveOwner connection, int maxQueues) {
        if (maxQueues > 0 && queues.size() >= maxQueues && !queues.containsKey(queueName)) {
            throw BrokerException.preconditionFailed("cannot declare queue '" + queueName + "': queue limit in vhost '"
                    + name + "' (" + maxQueues + ") is reached");
        }
        if (queueName.isEmpty()) {
            queueName = RandomNames.withPrefix("amq.gen-");
        } else if (!queues.containsKey(queueName) && !gate.applying()) { // a replicated name was checked already
            checkNotReserved("queue", queueName);
        }
        Queue existing = queues.get(queueName);
        if (existing == null) {
            Queue created = QueueTypes.select(args, "queue '" + queueName + "' in vhost '" + name + "'")
                    .create(queueHost, new QueueDeclaration(queueName, durable, exclusive,
                            exclusive ? connection : null, autoDelete, args == null ? Map.of() : args));
            queues.put(queueName, created);
            if (created.survivesRestart()) {
                record(new Definition.QueueDeclared(name, queueName, autoDelete, args));
            }
            return new DeclaredQueue(created, 0, 0);
        }
        checkRedeclaredQueue(existing, name, durable, exclusive, autoDelete, args, connection);
        existing.touch();
        return new DeclaredQueue(existing, existing.messageCount(), existing.consumerCount());
    }

    /**
     * Applies a replicated classic queue declaration (on the metadata log's thread): the queue itself on its home
     * node, a proxy of it ({@link RemoteQueues}) on the others.
     */
    public synchronized void declareReplicatedQueue(String queueName, boolean durable, boolean autoDelete,
                                                    Map<String, Object> args, String homeNode) {
        Queue existing = queues.get(queueName);
        RemoteQueues remote = gate.remoteQueues();
        if (existing != null) { // not its counts: a proxy would ask its home node, and this thread must not wait
            checkRedeclaredQueue(existing, name, durable, false, autoDelete, args, null);
            existing.touch();
        } else if (remote != null && !remote.localNode().equals(homeNode)) {
            queues.put(queueName, remote.open(queueHost, new QueueDeclaration(queueName, durable, false, null,
                    autoDelete, args), homeNode));
        } else {
            declareQueueHere(queueName, durable, false, autoDelete, args, null, 0);
        }
    }

    /** Where the cluster's classic queues live, or null on a single node. */
    public RemoteQueues remoteQueues() {
        return gate.remoteQueues();
    }

    /** Whether {@code queue} is a classic queue the cluster's metadata has (it or its proxy is on every node). */
    public boolean isReplicated(Queue queue) {
        return ReplicatedQueues.isReplicated(gate, queue);
    }

    /** Looks up a queue the given connection may use: 404 when missing, 405 when exclusive to another. */
    public Queue queue(String queueName, ExclusiveOwner connection) {
        Queue queue = queues.get(queueName);
        if (queue == null) {
            throw BrokerException.notFound("no queue '" + queueName + "' in vhost '" + name + "'");
        }
        checkExclusiveAccess(queue, connection);
        return queue;
    }

    public Collection<Queue> queues() {
        return queues.values();
    }

    /** The queue of that name, or null (no exclusivity check: routing uses it). */
    public Queue findQueue(String queueName) {
        return queues.get(queueName);
    }

    /** queue.delete: returns the number of ready messages dropped. */
    public int deleteQueue(String queueName, boolean ifUnused, boolean ifEmpty, ExclusiveOwner connection) {
        Queue queue = queues.get(queueName);
        if (ReplicatedQueues.proposesChangeTo(gate, queue)) {
            return ReplicatedQueues.delete(gate, queue, ifUnused, ifEmpty);
        }
        return deleteQueueHere(queueName, ifUnused, ifEmpty, connection);
    }

    private synchronized int deleteQueueHere(String queueName, boolean ifUnused, boolean ifEmpty,
                                             ExclusiveOwner connection) {
        Queue queue = queues.get(queueName);
        if (queue == null) {
            return 0; // idempotent, as in RabbitMQ
        }
        checkExclusiveAccess(queue, connection);
        if (ifUnused && queue.consumerCount() > 0) {
            throw BrokerException.preconditionFailed(queue + " in use");
        }
        int messages = queue.messageCount();
        if (ifEmpty && messages > 0) {
            throw BrokerException.preconditionFailed(queue + " not empty");
        }
        removeQueue(queue);
        return messages;
    }

    /** What a queue may ask of its virtual host. */
    private final QueueHost queueHost = new QueueHost() {
        @Override
        public VirtualHost vhost() {
            return VirtualHost.this;
        }

        @Override
        public void deadLetter(Message deadLetter) {
            publisher.deadLetter(deadLetter);
        }

        @Override
        public void deleteUnused(Queue queue) {
            deleteUnusedQueue(queue);
        }
    };

    /** An auto-delete queue lost its last consumer, or an x-expires queue went unused for too long. */
    private void deleteUnusedQueue(Queue queue) {
        if (ReplicatedQueues.proposesChangeTo(gate, queue)) {
            ReplicatedQueues.deleteLater(gate, queue); // every node drops it when the log delivers the delete
            return;
        }
        synchronized (this) {
            if (queues.get(queue.name()) != queue) {
                return;
            }
        }
        removeQueue(queue);
    }

    private void removeQueue(Queue queue) {
        List<QueueConsumer> cancelled;
        synchronized (this) {
            if (!queues.remove(queue.name(), queue)) {
                return;
            }
            if (queue.survivesRestart()) {
                record(new Definition.QueueDeleted(name, queue.name()));
            }
            removeBindingsTo(queue);
            cancelled = queue.delete();
        }
        // Outside the lock: a consumer's cancel handling may call back into the broker.
        for (QueueConsumer consumer : cancelled) {
            consumer.cancelledByServer(queue);
        }
    }

    /** Deletes the exclusive queues a closed connection owned. */
    public void connectionClosed(ExclusiveOwner connection) {
        List<Queue> owned = new ArrayList<>();
        for (Queue queue : queues.values()) {
            if (queue.exclusive() && queue.isExclusiveTo(connection)) {
                owned.add(queue);
            }
        }
        owned.forEach(this::removeQueue);
    }

    public int purgeQueue(String queueName, ExclusiveOwner connection) {
        return queue(queueName, connection).purge();
    }

    // ---------------------------------------------------------------- policies

    /** The policies and operator policies of this vhost. */
    public Policies policies() {
        return policies;
    }

    /** Adds or replaces a policy (of its kind) and applies it at once to the queues it now concerns. */
    public void setPolicy(Policy policy) {
        if (gate.proposes()) {
            gate.propose(MetadataCommand.SetPolicy.of(policy));
            return;
        }
        setPolicyHere(policy);
    }

    private synchronized void setPolicyHere(Policy policy) {
        policyChanges.set(policy);
    }

    /** Removes a policy (or operator policy); false if there was none of that name. */
    public boolean clearPolicy(String policyName, boolean operator) {
        if (gate.proposes()) {
            return Boolean.TRUE.equals(gate.propose(new MetadataCommand.ClearPolicy(name, policyName, operator)));
        }
        return clearPolicyHere(policyName, operator);
    }

    private synchronized boolean clearPolicyHere(String policyName, boolean operator) {
        return policyChanges.clear(policyName, operator);
    }

    // ---------------------------------------------------------------- bindings

    public void bindQueue(String queueName, String exchangeName, String routingKey, Map<String, Object> args,
                          ExclusiveOwner connection) {
        if (ReplicatedQueues.proposesChangeTo(gate, queues.get(queueName))) {
            ReplicatedQueues.bind(gate, true, name, queueName, exchangeName, routingKey, args);
            return;
        }
        bindQueueHere(queueName, exchangeName, routingKey, args, connection);
    }

    private synchronized void bindQueueHere(String queueName, String exchangeName, String routingKey,
                                            Map<String, Object> args, ExclusiveOwner connection) {
        bindings.bindQueue(queueName, exchangeName, routingKey, args, connection);
    }

    /** queue.unbind: succeeds when the binding, the queue or the exchange is already gone, as in RabbitMQ. */
    public void unbindQueue(String queueName, String exchangeName, String routingKey, Map<String, Object> args,
                            ExclusiveOwner connection) {
        if (ReplicatedQueues.proposesChangeTo(gate, queues.get(queueName))) {
            ReplicatedQueues.bind(gate, false, name, queueName, exchangeName, routingKey, args);
            return;
        }
        unbindQueueHere(queueName, exchangeName, routingKey, args, connection);
    }

    private synchronized void unbindQueueHere(String queueName, String exchangeName, String routingKey,
                                              Map<String, Object> args, ExclusiveOwner connection) {
        bindings.unbindQueue(queueName, exchangeName, routingKey, args, connection);
    }

    public void bindExchange(String destination, String source, String routingKey, Map<String, Object> args) {
        if (gate.proposes()) {
            gate.propose(new MetadataCommand.BindExchange(true, name, destination, source, routingKey,
                    args == null ? Map.of() : args));
            return;
        }
        bindExchangeHere(destination, source, routingKey, args);
    }

    private synchronized void bindExchangeHere(String destination, String source, String routingKey,
                                               Map<String, Object> args) {
        bindings.bindExchange(destination, source, routingKey, args);
    }

    public void unbindExchange(String destination, String source, String routingKey, Map<String, Object> args) {
        if (gate.proposes()) {
            gate.propose(new MetadataCommand.BindExchange(false, name, destination, source, routingKey,
                    args == null ? Map.of() : args));
            return;
        }
        unbindExchangeHere(destination, source, routingKey, args);
    }

    private synchronized void unbindExchangeHere(String destination, String source, String routingKey,
                                                 Map<String, Object> args) {
        bindings.unbindExchange(destination, source, routingKey, args);
    }

    void record(Definition definition) {
        if (persistence != null) {
            persistence.record(definition);
        }
    }

    private void removeBindingsTo(Destination destination) {
        for (Exchange exchange : List.copyOf(exchanges.values())) {
            if (!exchange.router().removeDestination(destination).isEmpty()) {
                deleteIfUnusedAutoDelete(exchange);
            }
        }
    }

    /** Call with the vhost's lock held. */
    void deleteIfUnusedAutoDelete(Exchange exchange) {
        if (exchange.autoDelete() && exchange.router().isEmpty() && exchanges.get(exchange.name()) == exchange) {
            removeExchange(exchange);
        }
    }

    // ---------------------------------------------------------------- publishing

    /** The publishing path into this vhost: every transport publishes through it. */
    public Publisher publisher() {
        return publisher;
    }

    /** Direct reply-to consumers in this vhost. */
    public DirectReplyTo directReplyTo() {
        return directReplyTo;
    }

    /**
     * Routes and enqueues an already-made message, not counted as a client's publish (a shortcut for tests);
     * {@code headers} (may be null, or supply null) are the headers as published.
     */
    public PublishResult publish(String exchangeName, String routingKey, Message message,
                                 Supplier<Map<String, Object>> headers) {
        return publisher.route(exchangeName, routingKey, message, headers == null ? null : headers.get(), null);
    }

    /** A fresh server-generated queue name ("amq.gen-..."), as queue.declare with an empty name gets. */
    public static String generateQueueName() {
        return RandomNames.withPrefix("amq.gen-");
    }
}
