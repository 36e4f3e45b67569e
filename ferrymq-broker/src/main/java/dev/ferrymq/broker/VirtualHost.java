package dev.ferrymq.broker;

import dev.ferrymq.broker.persistence.Definition;
import dev.ferrymq.broker.persistence.Persistence;
import dev.ferrymq.broker.queue.DeadLetter;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.queue.QueueConsumer;
import dev.ferrymq.broker.queue.QueueDeclaration;
import dev.ferrymq.broker.queue.QueueHost;
import dev.ferrymq.broker.queue.QueuePolicies;
import dev.ferrymq.broker.queue.QueueTypes;
import dev.ferrymq.broker.routing.Binding;
import dev.ferrymq.broker.routing.Destination;
import dev.ferrymq.broker.routing.HeadersRouter;
import dev.ferrymq.broker.routing.Router;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A virtual host: its exchanges, queues and bindings, and message routing between them.
 *
 * <p>Thread-safety: topology changes (declare, delete, bind, unbind) synchronize on the virtual host; routing a
 * message takes no virtual-host lock and reads the concurrent maps and the routers' snapshots. Lock order is
 * virtual host, then queue.
 */
public final class VirtualHost {
    private static final Logger LOG = LoggerFactory.getLogger(VirtualHost.class);
    /**
     * Dead letters this thread still has to deliver. Delivering one can make a full queue drop (and dead-letter)
     * its head, and so on around a chain of queues; a work list keeps that from growing the stack.
     */
    private static final ThreadLocal<ArrayDeque<Message>> DEAD_LETTERS_IN_FLIGHT = new ThreadLocal<>();
    public static final String DIRECT_REPLY_TO = "amq.rabbitmq.reply-to";
    private static final String DIRECT_REPLY_TO_PREFIX = DIRECT_REPLY_TO + ".";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String name;
    private final Persistence persistence;
    private volatile PropertiesCodec propertiesCodec = PropertiesCodec.OPAQUE;
    private final Map<String, Exchange> exchanges = new ConcurrentHashMap<>();
    private final Map<String, Queue> queues = new ConcurrentHashMap<>();
    private final Map<String, Consumer<Message>> replyTargets = new ConcurrentHashMap<>();
    private final Policies policies = new Policies();

    /** An in-memory virtual host: nothing is persisted. */
    public VirtualHost(String name) {
        this(name, null);
    }

    /** @param persistence where durable entities and persistent messages go, or null to keep all in memory */
    public VirtualHost(String name, Persistence persistence) {
        this.name = name;
        this.persistence = persistence;
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

    /** How the broker reads and rewrites message properties (priority queues, dead-lettering). */
    public PropertiesCodec propertiesCodec() {
        return propertiesCodec;
    }

    void usePropertiesCodec(PropertiesCodec codec) {
        propertiesCodec = codec;
    }

    // ---------------------------------------------------------------- exchanges

    public synchronized Exchange declareExchange(String exchangeName, String type, boolean passive, boolean durable,
                                                 boolean autoDelete, boolean internal, Map<String, Object> args) {
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
        String what = "exchange '" + exchangeName + "' in vhost '" + name + "'";
        checkEquivalent("type", what, type, existing.type());
        checkEquivalent("durable", what, durable, existing.durable());
        checkEquivalent("auto_delete", what, autoDelete, existing.autoDelete());
        checkEquivalent("internal", what, internal, existing.internal());
        checkEquivalentArguments(what, args, existing.arguments());
        return existing;
    }

    /** exchange.delete: the default and amq.* exchanges are refused, whether they exist or not (RabbitMQ). */
    public synchronized void deleteExchange(String exchangeName, boolean ifUnused) {
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
                                      boolean autoDelete, Map<String, Object> args, Object connection) {
        return declareQueue(queueName, passive, durable, exclusive, autoDelete, args, connection, 0);
    }

    /**
     * queue.declare with RabbitMQ's vhost max-queues limit ({@code maxQueues}, 0 for none): declaring a new
     * queue beyond it is 406 PRECONDITION_FAILED. The check and the creation are one step under the vhost lock.
     */
    public synchronized DeclaredQueue declareQueue(String queueName, boolean passive, boolean durable,
                                                   boolean exclusive, boolean autoDelete, Map<String, Object> args,
                                                   Object connection, int maxQueues) {
        if (!passive && maxQueues > 0 && queues.size() >= maxQueues && !queues.containsKey(queueName)) {
            throw BrokerException.preconditionFailed("cannot declare queue '" + queueName + "': queue limit in vhost '"
                    + name + "' (" + maxQueues + ") is reached");
        }
        if (passive) {
            Queue queue = queue(queueName, connection);
            queue.touch(); // any declaration renews x-expires, as in RabbitMQ
            return new DeclaredQueue(queue, queue.messageCount(), queue.consumerCount());
        }
        if (queueName.isEmpty()) {
            queueName = generateName("amq.gen-");
        } else if (!queues.containsKey(queueName)) {
            checkNotReserved("queue", queueName);
        }
        Queue existing = queues.get(queueName);
        if (existing == null) {
            Queue created = QueueTypes.select(args, "queue '" + queueName + "' in vhost '" + name + "'")
                    .create(queueHost, new QueueDeclaration(queueName, durable, exclusive,
                            exclusive ? connection : null, autoDelete, args == null ? Map.of() : args));
            queues.put(queueName, created);
            if (created.keepsPersistentMessages()) {
                record(new Definition.QueueDeclared(name, queueName, autoDelete, args));
            }
            return new DeclaredQueue(created, 0, 0);
        }
        // As RabbitMQ: the exclusive flag must match too, and a mismatch is 405 like any exclusivity clash.
        if (existing.owner() != (exclusive ? connection : null)) {
            throw exclusiveAccessRefused(existing);
        }
        String what = "queue '" + queueName + "' in vhost '" + name + "'";
        checkEquivalent("durable", what, durable, existing.durable());
        checkEquivalent("auto_delete", what, autoDelete, existing.autoDelete());
        checkEquivalentArguments(what, args, existing.arguments());
        existing.touch();
        return new DeclaredQueue(existing, existing.messageCount(), existing.consumerCount());
    }

    /** Looks up a queue the given connection may use: 404 when missing, 405 when exclusive to another. */
    public Queue queue(String queueName, Object connection) {
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

    /** queue.delete: returns the number of ready messages dropped. */
    public synchronized int deleteQueue(String queueName, boolean ifUnused, boolean ifEmpty, Object connection) {
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
            VirtualHost.this.deadLetter(deadLetter);
        }

        @Override
        public void deleteUnused(Queue queue) {
            deleteUnusedQueue(queue);
        }
    };

    /** An auto-delete queue lost its last consumer, or an x-expires queue went unused for too long. */
    private void deleteUnusedQueue(Queue queue) {
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
            if (queue.keepsPersistentMessages()) {
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
    public void connectionClosed(Object connection) {
        List<Queue> owned = new ArrayList<>();
        for (Queue queue : queues.values()) {
            if (queue.exclusive() && queue.owner() == connection) {
                owned.add(queue);
            }
        }
        owned.forEach(this::removeQueue);
    }

    public int purgeQueue(String queueName, Object connection) {
        return queue(queueName, connection).purge();
    }

    // ---------------------------------------------------------------- policies

    /** The policies and operator policies of this vhost. */
    public Policies policies() {
        return policies;
    }

    /** Adds or replaces a policy (of its kind) and applies it at once to the queues it now concerns. */
    public synchronized void setPolicy(Policy policy) {
        if (!policy.vhost().equals(name)) {
            throw new IllegalArgumentException(policy + " is not for vhost '" + name + "'");
        }
        policies.put(policy);
        record(new Definition.PolicySet(name, policy.name(), policy.operator(), policy.pattern(),
                policy.applyTo().value(), policy.priority(), policy.definition()));
        reapplyPolicies();
    }

    /** Removes a policy (or operator policy); false if there was none of that name. */
    public synchronized boolean clearPolicy(String policyName, boolean operator) {
        if (!policies.remove(policyName, operator)) {
            return false;
        }
        record(new Definition.PolicyCleared(name, policyName, operator));
        reapplyPolicies();
        return true;
    }

    /** Re-evaluates which policies apply to each queue (exchanges look theirs up when routing). */
    private void reapplyPolicies() {
        for (Queue queue : queues.values()) {
            QueuePolicies applicable = QueuePolicies.lookUp(policies, queue.name());
            if (!applicable.equals(queue.policies())) {
                queue.applyPolicies(applicable);
            }
        }
    }

    /** An exchange's alternate exchange: its {@code alternate-exchange} argument, else its policy's, or null. */
    private String alternateExchange(Exchange exchange) {
        Object alternate = exchange.arguments().get("alternate-exchange");
        if (alternate != null) {
            return alternate instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : alternate.toString();
        }
        Policy policy = policies.forExchange(exchange.name());
        return policy == null ? null : policy.text("alternate-exchange");
    }

    // ---------------------------------------------------------------- bindings

    public synchronized void bindQueue(String queueName, String exchangeName, String routingKey,
                                       Map<String, Object> args, Object connection) {
        checkNotDefaultExchange(exchangeName);
        Queue queue = queue(queueName, connection);
        Exchange exchange = exchange(exchangeName);
        bind(exchange, new Binding(queue, routingKey, args));
    }

    /**
     * queue.unbind. As in RabbitMQ ({@code rabbit_binding:remove}), unbinding succeeds when the binding, the
     * queue or the exchange is already gone, and exclusive access is checked only when there is a binding to
     * remove.
     */
    public synchronized void unbindQueue(String queueName, String exchangeName, String routingKey,
                                         Map<String, Object> args, Object connection) {
        checkNotDefaultExchange(exchangeName);
        Queue queue = queues.get(queueName);
        Exchange exchange = exchanges.get(exchangeName);
        if (queue == null || exchange == null) {
            return;
        }
        Binding binding = new Binding(queue, routingKey, args);
        if (!queue.isExclusiveTo(connection) && exchange.router().bindings().contains(binding)) {
            throw exclusiveAccessRefused(queue);
        }
        unbind(exchange, binding);
    }

    public synchronized void bindExchange(String destination, String source, String routingKey,
                                          Map<String, Object> args) {
        checkNotDefaultExchange(destination);
        checkNotDefaultExchange(source);
        Exchange to = exchange(destination);
        Exchange from = exchange(source);
        bind(from, new Binding(to, routingKey, args));
    }

    public synchronized void unbindExchange(String destination, String source, String routingKey,
                                            Map<String, Object> args) {
        checkNotDefaultExchange(destination);
        checkNotDefaultExchange(source);
        Exchange to = exchanges.get(destination);
        Exchange from = exchanges.get(source);
        if (to != null && from != null) { // unbinding what is gone succeeds, as queue.unbind does
            unbind(from, new Binding(to, routingKey, args));
        }
    }

    private void bind(Exchange source, Binding binding) {
        if (source.router() instanceof HeadersRouter) {
            String invalid = HeadersRouter.validateArguments(binding.arguments());
            if (invalid != null) {
                throw BrokerException.preconditionFailed(invalid);
            }
        }
        if (source.router().bind(binding) && isDurable(source, binding.destination())) {
            record(new Definition.Bound(name, source.name(), binding.destination() instanceof Queue,
                    binding.destination().name(), binding.routingKey(), binding.arguments()));
        }
    }

    private void unbind(Exchange source, Binding binding) {
        if (source.router().unbind(binding)) {
            if (isDurable(source, binding.destination())) {
                record(new Definition.Unbound(name, source.name(), binding.destination() instanceof Queue,
                        binding.destination().name(), binding.routingKey(), binding.arguments()));
            }
            deleteIfUnusedAutoDelete(source);
        }
    }

    /** A binding survives a restart when both ends do (built-in exchanges always exist). */
    private static boolean isDurable(Exchange source, Destination destination) {
        boolean durableDestination = destination instanceof Queue queue ? queue.keepsPersistentMessages()
                : ((Exchange) destination).durable();
        return source.durable() && durableDestination;
    }

    private void record(Definition definition) {
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

    private void deleteIfUnusedAutoDelete(Exchange exchange) {
        if (exchange.autoDelete() && exchange.router().isEmpty() && exchanges.get(exchange.name()) == exchange) {
            removeExchange(exchange);
        }
    }

    // ---------------------------------------------------------------- routing

    /**
     * Routes a message published to {@code exchangeName} and enqueues it on every matching queue, following
     * exchange-to-exchange bindings. Returns the number of queues (or reply-to consumers) it reached; 0 means
     * unroutable.
     */
    public PublishResult publish(String exchangeName, String routingKey, Message message,
                                 Supplier<Map<String, Object>> headers) {
        return publish(exchangeName, routingKey, message, headers, null);
    }

    /**
     * Like {@link #publish(String, String, Message, Supplier)}; if the message is stored, {@code batch} (may be
     * null) tracks its entries until they have all left their queues. {@code headers} are the headers as
     * published: they are read once here for the CC and BCC routing keys, so the supplier should hand out
     * headers already decoded (or null when there are none) rather than decode them. The message itself must
     * have been through {@link SenderSelected#accept} (BCC removed).
     */
    public PublishResult publish(String exchangeName, String routingKey, Message message,
                                 Supplier<Map<String, Object>> headers, PublishBatch batch) {
        Exchange exchange = null;
        if (!exchangeName.isEmpty()) {
            exchange = exchanges.get(exchangeName);
            if (exchange == null) {
                throw BrokerException.notFound("no exchange '" + exchangeName + "' in vhost '" + name + "'");
            }
            if (exchange.internal()) {
                throw BrokerException.accessRefused("cannot publish to internal exchange '" + exchangeName
                        + "' in vhost '" + name + "'");
            }
        }
        Map<String, Object> table = headers == null ? null : headers.get();
        List<String> extraKeys = SenderSelected.keys(table);
        if (exchange == null) {
            return publishToDefault(routingKey, extraKeys, message, batch);
        }
        List<Queue> matched = route(exchange, routingKey, extraKeys, headers);
        if (matched.isEmpty()) {
            matched = routeToAlternate(exchange, routingKey, extraKeys, headers);
        }
        return deliver(matched, message, batch);
    }

    /**
     * An unroutable message goes to the exchange's alternate exchange (argument, else policy), and on through that one's, until
     * one routes it (a cycle of alternates ends routing). A missing alternate exchange drops it, as RabbitMQ does.
     */
    private List<Queue> routeToAlternate(Exchange exchange, String routingKey, List<String> extraKeys,
                                         Supplier<Map<String, Object>> headers) {
        Set<Exchange> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        Exchange current = exchange;
        while (visited.add(current)) {
            String alternate = alternateExchange(current);
            if (alternate == null) {
                break;
            }
            current = exchanges.get(alternate);
            if (current == null) {
                break;
            }
            List<Queue> matched = route(current, routingKey, extraKeys, headers);
            if (!matched.isEmpty()) {
                return matched;
            }
        }
        return List.of();
    }

    /**
     * Republishes a dead-lettered message (see {@link DeadLetter}) through its dead-letter exchange, leaving out
     * queues where it would go round an automatic cycle. A missing dead-letter exchange drops it, as in RabbitMQ.
     */
    void deadLetter(Message deadLetter) {
        ArrayDeque<Message> pending = DEAD_LETTERS_IN_FLIGHT.get();
        if (pending != null) {
            pending.add(deadLetter); // delivering it may dead-letter more: loop, don't recurse
            return;
        }
        pending = new ArrayDeque<>();
        DEAD_LETTERS_IN_FLIGHT.set(pending);
        try {
            for (Message next = deadLetter; next != null; next = pending.poll()) {
                deliverDeadLetter(next);
            }
        } finally {
            DEAD_LETTERS_IN_FLIGHT.remove();
        }
    }

    private void deliverDeadLetter(Message deadLetter) {
        if (propertiesCodec == PropertiesCodec.OPAQUE) {
            // Without a codec there are no x-death headers, so cycles could not be detected: drop it.
            LOG.debug("dropping dead letter: no properties codec in vhost '{}'", name);
            return;
        }
        Exchange exchange = exchanges.get(deadLetter.exchange());
        Map<String, Object> headers = propertiesCodec.headers(deadLetter.properties());
        // Without x-dead-letter-routing-key a dead letter keeps its CC keys (DeadLetter drops CC otherwise).
        List<String> extraKeys = SenderSelected.keysOrNone(headers);
        List<Queue> matched;
        if (deadLetter.exchange().isEmpty()) {
            matched = queuesNamed(deadLetter.routingKey(), extraKeys);
        } else if (exchange != null) {
            matched = route(exchange, deadLetter.routingKey(), extraKeys, () -> headers);
        } else {
            LOG.debug("dropping dead letter: no dead-letter exchange '{}' in vhost '{}'", deadLetter.exchange(), name);
            return;
        }
        List<Queue> targets = new ArrayList<>(matched.size());
        for (Queue queue : matched) {
            if (!DeadLetter.cycles(deadLetter, queue, propertiesCodec)) {
                targets.add(queue);
            }
        }
        if (!targets.isEmpty()) {
            deliver(targets, deadLetter, null);
        }
    }

    /**
     * What became of a published message.
     *
     * @param queues    how many queues (or reply-to consumers) it reached; 0 means unroutable
     * @param stored    whether it was written to the store (a publisher confirm must wait for an fsync)
     * @param congested a queue it reached whose consumers are falling behind (the publisher should pause), or null
     * @param refused   a full queue with {@code x-overflow} reject-publish refused it (the confirm is a nack)
     */
    public record PublishResult(int queues, boolean stored, Queue congested, boolean refused) {
        static final PublishResult UNROUTED = new PublishResult(0, false, null, false);
    }

    /** Enqueues on every queue; a persistent message is stored once, referenced by each durable queue. */
    private PublishResult deliver(List<Queue> matched, Message message, PublishBatch batch) {
        long position = Queue.NOT_STORED;
        if (message.persistent() && persistence != null) {
            int durableQueues = 0;
            for (Queue queue : matched) {
                if (queue.keepsPersistentMessages()) {
                    durableQueues++;
                }
            }
            if (durableQueues > 0) {
                position = persistence.storeMessage(message, durableQueues);
            }
        }
        Queue congested = null;
        boolean refused = false;
        for (Queue queue : matched) {
            refused |= !queue.publish(message, queue.keepsPersistentMessages() ? position : Queue.NOT_STORED,
                    batch);
            queue.counters().published.increment();
            if (congested == null && queue.congested()) {
                congested = queue;
            }
        }
        return new PublishResult(matched.size(), position != Queue.NOT_STORED, congested, refused);
    }

    private PublishResult publishToDefault(String routingKey, List<String> extraKeys, Message message,
                                           PublishBatch batch) {
        List<Queue> matched = queuesNamed(routingKey, extraKeys);
        if (!matched.isEmpty()) {
            return deliver(matched, message, batch);
        }
        if (routingKey.startsWith(DIRECT_REPLY_TO_PREFIX)) {
            Consumer<Message> target = replyTargets.get(routingKey.substring(DIRECT_REPLY_TO_PREFIX.length()));
            if (target != null) {
                target.accept(message);
                return new PublishResult(1, false, null, false);
            }
        }
        return PublishResult.UNROUTED;
    }

    /** The default exchange's routing: the queues named by the routing key and the CC/BCC keys, each once. */
    private List<Queue> queuesNamed(String routingKey, List<String> extraKeys) {
        Queue queue = queues.get(routingKey);
        if (extraKeys.isEmpty()) {
            return queue == null ? List.of() : List.of(queue);
        }
        RouteCollector collector = new RouteCollector();
        if (queue != null) {
            collector.accept(queue);
        }
        for (String key : extraKeys) {
            Queue named = queues.get(key);
            if (named != null) {
                collector.accept(named);
            }
        }
        return collector.queues;
    }

    /**
     * The queues a message reaches from {@code exchange} by its routing key and each of {@code extraKeys} (CC/BCC),
     * each once, following exchange-to-exchange bindings.
     */
    private List<Queue> route(Exchange exchange, String routingKey, List<String> extraKeys,
                              Supplier<Map<String, Object>> headers) {
        RouteCollector collector = new RouteCollector();
        routeThrough(exchange, routingKey, extraKeys, headers, collector);
        if (collector.hops != null) {
            Set<Exchange> visited = Collections.newSetFromMap(new IdentityHashMap<>());
            visited.add(exchange);
            while (!collector.hops.isEmpty()) {
                Exchange next = collector.hops.remove(collector.hops.size() - 1);
                if (visited.add(next)) { // a binding cycle ends here
                    routeThrough(next, routingKey, extraKeys, headers, collector);
                }
            }
        }
        return collector.queues;
    }

    private static void routeThrough(Exchange exchange, String routingKey, List<String> extraKeys,
                                     Supplier<Map<String, Object>> headers, RouteCollector collector) {
        Router router = exchange.router();
        router.route(routingKey, headers, collector);
        if (!extraKeys.isEmpty() && router.usesRoutingKey()) {
            for (String key : extraKeys) {
                router.route(key, headers, collector);
            }
        }
    }

    /** Gathers routing results: queues once each, and exchanges still to route through. */
    private static final class RouteCollector implements Consumer<Destination> {
        private static final int LINEAR_SCAN_LIMIT = 16;
        final List<Queue> queues = new ArrayList<>(4);
        Set<Queue> queueSet;
        List<Exchange> hops;

        @Override
        public void accept(Destination destination) {
            if (destination instanceof Queue queue) {
                addQueue(queue);
            } else if (destination instanceof Exchange exchange) {
                if (hops == null) {
                    hops = new ArrayList<>();
                }
                hops.add(exchange);
            }
        }

        private void addQueue(Queue queue) {
            if (queueSet == null && queues.size() < LINEAR_SCAN_LIMIT) {
                if (!queues.contains(queue)) {
                    queues.add(queue);
                }
                return;
            }
            if (queueSet == null) {
                queueSet = Collections.newSetFromMap(new IdentityHashMap<>());
                queueSet.addAll(queues);
            }
            if (queueSet.add(queue)) {
                queues.add(queue);
            }
        }
    }

    // ---------------------------------------------------------------- direct reply-to

    /** Registers a direct reply-to consumer and returns the token that forms its reply-to address. */
    public String registerReplyTarget(Consumer<Message> target) {
        String token = generateName("");
        replyTargets.put(token, target);
        return DIRECT_REPLY_TO_PREFIX + token;
    }

    public void unregisterReplyTarget(String address) {
        if (address.startsWith(DIRECT_REPLY_TO_PREFIX)) {
            replyTargets.remove(address.substring(DIRECT_REPLY_TO_PREFIX.length()));
        }
    }

    // ---------------------------------------------------------------- checks

    private void checkExclusiveAccess(Queue queue, Object connection) {
        if (!queue.isExclusiveTo(connection)) {
            throw exclusiveAccessRefused(queue);
        }
    }

    private static BrokerException exclusiveAccessRefused(Queue queue) {
        return BrokerException.resourceLocked("cannot obtain exclusive access to locked " + queue
                + ". It could be originally declared on another connection or the exclusive property value"
                + " does not match that of the original declaration.");
    }

    private static void checkNotDefaultExchange(String exchangeName) {
        if (exchangeName.isEmpty()) {
            throw BrokerException.accessRefused("operation not permitted on the default exchange");
        }
    }

    private static void checkNotReserved(String kind, String entityName) {
        if (entityName.startsWith("amq.")) {
            throw BrokerException.accessRefused(kind + " name '" + entityName + "' contains reserved prefix 'amq.*'");
        }
    }

    private static void checkEquivalent(String arg, String what, Object received, Object current) {
        if (!Objects.equals(received, current)) {
            throw BrokerException.preconditionFailed("inequivalent arg '" + arg + "' for " + what + ": received '"
                    + received + "' but current is '" + current + "'");
        }
    }

    /** Only "x-" arguments take part in equivalence, as in RabbitMQ; others are informational. */
    private static void checkEquivalentArguments(String what, Map<String, Object> received,
                                                 Map<String, Object> current) {
        for (Map.Entry<String, Object> entry : received.entrySet()) {
            if (entry.getKey().startsWith("x-") && !Objects.equals(entry.getValue(), current.get(entry.getKey()))) {
                throw inequivalentArgument(what, entry.getKey(), entry.getValue(), current.get(entry.getKey()));
            }
        }
        for (Map.Entry<String, Object> entry : current.entrySet()) {
            if (entry.getKey().startsWith("x-") && !received.containsKey(entry.getKey())) {
                throw inequivalentArgument(what, entry.getKey(), null, entry.getValue());
            }
        }
    }

    private static BrokerException inequivalentArgument(String what, String key, Object received, Object current) {
        return BrokerException.preconditionFailed("inequivalent arg '" + key + "' for " + what + ": received "
                + (received == null ? "none" : "the value '" + received + "'") + " but current is "
                + (current == null ? "none" : "the value '" + current + "'"));
    }

    /** A fresh server-generated queue name ("amq.gen-..."), as queue.declare with an empty name gets. */
    public static String generateQueueName() {
        return generateName("amq.gen-");
    }

    private static String generateName(String prefix) {
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }
}
