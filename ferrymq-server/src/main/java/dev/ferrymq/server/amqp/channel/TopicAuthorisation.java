package dev.ferrymq.server.amqp.channel;

import dev.ferrymq.broker.Exchange;
import dev.ferrymq.broker.TopicPermissions;
import dev.ferrymq.broker.TopicPermissions.TopicPermission;
import dev.ferrymq.broker.VirtualHost;

import java.util.Map;

/**
 * One channel's topic-permission checks, as RabbitMQ's {@code rabbit_channel:check_topic_authorisation}: a publish
 * to an exchange of type topic needs its routing key to match the user's {@code write} pattern for that exchange,
 * and a binding from one (queue.bind/unbind, exchange.bind/unbind with it as source) its binding key to match
 * {@code read}. A user without a topic permission for the exchange, or an exchange of another type (or one that
 * does not exist: the operation fails later with 404, as in RabbitMQ where that comes first), is not checked.
 *
 * <p>Cheap on the publish path: the user's topic permissions in the vhost are looked up again only when the
 * broker's table has changed since the last check (a volatile read otherwise), the usual case of a user without
 * any ends there, and the patterns were compiled when they were set. Runs on the channel's event loop.
 */
final class TopicAuthorisation {
    private static final String TOPIC = "topic";

    private final TopicPermissions table;
    private final String user;
    private final VirtualHost vhost;
    private long version = -1;
    private Map<String, TopicPermission> permissions = Map.of();

    TopicAuthorisation(TopicPermissions table, String user, VirtualHost vhost) {
        this.table = table;
        this.user = user;
        this.vhost = vhost;
    }

    /** basic.publish: 403 unless the routing key may be published to the exchange. */
    void checkPublish(String exchange, String routingKey) {
        check(exchange, routingKey, true);
    }

    /** Binding or unbinding from {@code source}: 403 unless the binding key may be read from it. */
    void checkBinding(String source, String bindingKey) {
        check(source, bindingKey, false);
    }

    private void check(String exchangeName, String key, boolean write) {
        long current = table.version();
        if (current != version) {
            version = current; // read before the table: a change in between is seen at the next check
            permissions = table.of(user, vhost.name());
        }
        if (permissions.isEmpty()) {
            return;
        }
        TopicPermission permission = permissions.get(exchangeName);
        if (permission == null) {
            return;
        }
        Exchange exchange = vhost.findExchange(exchangeName);
        // A publish to an internal exchange is refused anyway, and RabbitMQ says so before any topic check.
        if (exchange != null && exchange.type().equals(TOPIC) && !(write && exchange.internal())) {
            TopicPermissions.check(permission, write, key);
        }
    }
}
