package dev.ferrymq.server.amqp.channel;

import dev.ferrymq.amqp.method.QueueDeclare;
import dev.ferrymq.broker.Permissions;
import dev.ferrymq.broker.Permissions.Access;
import dev.ferrymq.broker.TopicPermissions;
import dev.ferrymq.broker.VirtualHost;

/**
 * A channel's permission checks, as RabbitMQ's {@code rabbit_channel:check_resource_access} and
 * {@code check_topic_authorisation}: configure/write/read on queues and exchanges, topic permissions on
 * publishes and bindings. A refusal is a 403 {@code BrokerException}. Runs on the channel's event loop.
 */
final class AccessControl {
    private final Permissions permissions;
    private final String user;
    private final VirtualHost vhost;
    private final TopicAuthorisation topics;
    /** The exchange last published to with write permission: skips the regex for a run of publishes to it. */
    private String writePermittedExchange;

    AccessControl(Permissions permissions, TopicPermissions topicPermissions, String user, VirtualHost vhost) {
        this.permissions = permissions;
        this.user = user;
        this.vhost = vhost;
        this.topics = new TopicAuthorisation(topicPermissions, user, vhost);
    }

    void checkQueue(Access access, String queue) {
        permissions.check(user, vhost.name(), access, "queue", queue);
    }

    /** The default exchange is checked under the name amq.default, as RabbitMQ does. */
    void checkExchange(Access access, String exchange) {
        permissions.check(user, vhost.name(), access, "exchange", exchange.isEmpty() ? "amq.default" : exchange);
    }

    /**
     * queue.declare needs configure on the queue (for a server-named queue, on a name of the form it will get),
     * and with a dead-letter exchange also read on the queue and write on that exchange, as in RabbitMQ.
     */
    void checkQueueDeclare(QueueDeclare m) {
        String name = m.queue().isEmpty() ? VirtualHost.generateQueueName() : m.queue();
        checkQueue(Access.CONFIGURE, name);
        Object deadLetterExchange = m.arguments().get("x-dead-letter-exchange");
        if (deadLetterExchange != null) {
            checkQueue(Access.READ, name);
            checkExchange(Access.WRITE, deadLetterExchange.toString());
        }
    }

    /** basic.publish: write on the exchange (remembered for a run of publishes to the same one). */
    void checkPublish(String exchange) {
        if (!exchange.equals(writePermittedExchange)) {
            checkExchange(Access.WRITE, exchange);
            writePermittedExchange = exchange;
        }
    }

    /** A complete message: its routing key against the user's topic write permission. */
    void checkPublishTopic(String exchange, String routingKey) {
        topics.checkPublish(exchange, routingKey);
    }

    /** Binding or unbinding from {@code source}: its binding key against the user's topic read permission. */
    void checkBinding(String source, String bindingKey) {
        topics.checkBinding(source, bindingKey);
    }
}
