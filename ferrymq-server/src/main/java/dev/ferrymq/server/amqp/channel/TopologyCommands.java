package dev.ferrymq.server.amqp.channel;

import dev.ferrymq.amqp.AmqpException;
import dev.ferrymq.amqp.Method;
import dev.ferrymq.amqp.ReplyCode;
import dev.ferrymq.amqp.method.ExchangeBind;
import dev.ferrymq.amqp.method.ExchangeBindOk;
import dev.ferrymq.amqp.method.ExchangeDeclare;
import dev.ferrymq.amqp.method.ExchangeDeclareOk;
import dev.ferrymq.amqp.method.ExchangeDelete;
import dev.ferrymq.amqp.method.ExchangeDeleteOk;
import dev.ferrymq.amqp.method.ExchangeUnbind;
import dev.ferrymq.amqp.method.ExchangeUnbindOk;
import dev.ferrymq.amqp.method.QueueBind;
import dev.ferrymq.amqp.method.QueueBindOk;
import dev.ferrymq.amqp.method.QueueDeclare;
import dev.ferrymq.amqp.method.QueueDeclareOk;
import dev.ferrymq.amqp.method.QueueDelete;
import dev.ferrymq.amqp.method.QueueDeleteOk;
import dev.ferrymq.amqp.method.QueuePurge;
import dev.ferrymq.amqp.method.QueuePurgeOk;
import dev.ferrymq.amqp.method.QueueUnbind;
import dev.ferrymq.amqp.method.QueueUnbindOk;
import dev.ferrymq.broker.Permissions.Access;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.broker.queue.ExclusiveOwner;

import java.util.function.Consumer;

/**
 * The exchange.* and queue.* methods of one channel: each checks access, asks the virtual host, and answers
 * unless no-wait. Also remembers the queue last declared, which an empty queue name means (AMQP 0-9-1's
 * "default queue"). Runs on the channel's event loop.
 */
final class TopologyCommands {
    private final Consumer<Method> send;
    private final VirtualHost vhost;
    private final AccessControl access;
    private final ExclusiveOwner owner;
    private final int maxQueuesPerVhost;
    private String lastQueueName;

    /**
     * @param owner             the connection, owner of the exclusive queues it declares
     * @param maxQueuesPerVhost RabbitMQ's vhost max-queues limit (0: none)
     */
    TopologyCommands(Consumer<Method> send, VirtualHost vhost, AccessControl access, ExclusiveOwner owner,
                     int maxQueuesPerVhost) {
        this.send = send;
        this.vhost = vhost;
        this.access = access;
        this.owner = owner;
        this.maxQueuesPerVhost = maxQueuesPerVhost;
    }

    void declareExchange(ExchangeDeclare m) {
        if (!m.passive()) {
            access.checkExchange(Access.CONFIGURE, m.exchange());
        }
        vhost.declareExchange(m.exchange(), m.type(), m.passive(), m.durable(), m.autoDelete(), m.internal(),
                m.arguments());
        reply(m.noWait(), new ExchangeDeclareOk());
    }

    void deleteExchange(ExchangeDelete m) {
        access.checkExchange(Access.CONFIGURE, m.exchange());
        vhost.deleteExchange(m.exchange(), m.ifUnused());
        reply(m.noWait(), new ExchangeDeleteOk());
    }

    void bindExchange(ExchangeBind m) {
        checkExchangeBinding(m.destination(), m.source(), m.routingKey());
        vhost.bindExchange(m.destination(), m.source(), m.routingKey(), m.arguments());
        reply(m.noWait(), new ExchangeBindOk());
    }

    void unbindExchange(ExchangeUnbind m) {
        checkExchangeBinding(m.destination(), m.source(), m.routingKey());
        vhost.unbindExchange(m.destination(), m.source(), m.routingKey(), m.arguments());
        reply(m.noWait(), new ExchangeUnbindOk());
    }

    private void checkExchangeBinding(String destination, String source, String routingKey) {
        access.checkExchange(Access.WRITE, destination);
        access.checkExchange(Access.READ, source);
        access.checkBinding(source, routingKey);
    }

    void declareQueue(QueueDeclare m) {
        if (m.passive() && m.queue().equals(VirtualHost.DIRECT_REPLY_TO)) {
            // The pseudo-queue always "exists" with one consumer, as RabbitMQ reports it (Spring probes this way).
            send.accept(new QueueDeclareOk(m.queue(), 0, 1));
            return;
        }
        String name = m.passive() ? resolveQueueName(m.queue()) : m.queue();
        if (!m.passive()) {
            access.checkQueueDeclare(m);
        }
        // The vhost checks max-queues and creates the queue in one step.
        VirtualHost.DeclaredQueue declared = vhost.declareQueue(name, m.passive(), m.durable(), m.exclusive(),
                m.autoDelete(), m.arguments(), owner, maxQueuesPerVhost);
        lastQueueName = declared.queue().name();
        reply(m.noWait(), new QueueDeclareOk(lastQueueName, declared.messageCount(), declared.consumerCount()));
    }

    void bindQueue(QueueBind m) {
        String queue = resolveQueueName(m.queue());
        String routingKey = bindingKey(m.queue(), m.routingKey(), queue);
        checkQueueBinding(queue, m.exchange(), routingKey);
        vhost.bindQueue(queue, m.exchange(), routingKey, m.arguments(), owner);
        reply(m.noWait(), new QueueBindOk());
    }

    void unbindQueue(QueueUnbind m) {
        String queue = resolveQueueName(m.queue());
        String routingKey = bindingKey(m.queue(), m.routingKey(), queue);
        checkQueueBinding(queue, m.exchange(), routingKey);
        vhost.unbindQueue(queue, m.exchange(), routingKey, m.arguments(), owner);
        send.accept(new QueueUnbindOk());
    }

    /**
     * An empty queue name with an empty routing key binds (and unbinds) with the queue's name as the key, as
     * RabbitMQ's expand_routing_key_shortcut does for both methods.
     */
    private static String bindingKey(String requestedQueue, String routingKey, String resolvedQueue) {
        return requestedQueue.isEmpty() && routingKey.isEmpty() ? resolvedQueue : routingKey;
    }

    private void checkQueueBinding(String queue, String exchange, String routingKey) {
        access.checkQueue(Access.WRITE, queue);
        access.checkExchange(Access.READ, exchange);
        access.checkBinding(exchange, routingKey);
    }

    void purgeQueue(QueuePurge m) {
        String queue = resolveQueueName(m.queue());
        access.checkQueue(Access.READ, queue);
        int purged = vhost.purgeQueue(queue, owner);
        reply(m.noWait(), new QueuePurgeOk(purged));
    }

    void deleteQueue(QueueDelete m) {
        String queue = resolveQueueName(m.queue());
        access.checkQueue(Access.CONFIGURE, queue);
        int deleted = vhost.deleteQueue(queue, m.ifUnused(), m.ifEmpty(), owner);
        reply(m.noWait(), new QueueDeleteOk(deleted));
    }

    /** An empty queue name means the queue last declared on this channel (AMQP 0-9-1 "default queue"). */
    String resolveQueueName(String name) {
        if (!name.isEmpty()) {
            return name;
        }
        if (lastQueueName == null) {
            throw AmqpException.channel(ReplyCode.NOT_FOUND, "no previously declared queue");
        }
        return lastQueueName;
    }

    private void reply(boolean noWait, Method ok) {
        if (!noWait) {
            send.accept(ok);
        }
    }
}
