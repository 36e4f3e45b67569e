package dev.ferrymq.broker;

import static dev.ferrymq.broker.DeclarationChecks.checkNotDefaultExchange;
import static dev.ferrymq.broker.DeclarationChecks.exclusiveAccessRefused;

import dev.ferrymq.broker.persistence.Definition;
import dev.ferrymq.broker.queue.ExclusiveOwner;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.routing.Binding;
import dev.ferrymq.broker.routing.Destination;
import dev.ferrymq.broker.routing.HeadersRouter;

import java.util.Map;

/**
 * queue.bind/unbind and exchange.bind/unbind in one virtual host: the checks, the change to the source exchange's
 * router, the record in the definitions log when the binding is durable, and the auto-delete of a source exchange
 * that lost its last binding. Called by the {@link VirtualHost} with its lock held; no state of its own.
 */
final class BindingChanges {
    private final VirtualHost vhost;

    BindingChanges(VirtualHost vhost) {
        this.vhost = vhost;
    }

    void bindQueue(String queueName, String exchangeName, String routingKey, Map<String, Object> args,
                   ExclusiveOwner connection) {
        checkNotDefaultExchange(exchangeName);
        Queue queue = vhost.queue(queueName, connection);
        Exchange exchange = vhost.exchange(exchangeName);
        bind(exchange, new Binding(queue, routingKey, args));
    }

    /**
     * As in RabbitMQ ({@code rabbit_binding:remove}), unbinding succeeds when the binding, the queue or the
     * exchange is already gone, and exclusive access is checked only when there is a binding to remove.
     */
    void unbindQueue(String queueName, String exchangeName, String routingKey, Map<String, Object> args,
                     ExclusiveOwner connection) {
        checkNotDefaultExchange(exchangeName);
        Queue queue = vhost.findQueue(queueName);
        Exchange exchange = vhost.findExchange(exchangeName);
        if (queue == null || exchange == null) {
            return;
        }
        Binding binding = new Binding(queue, routingKey, args);
        if (!queue.isExclusiveTo(connection) && exchange.router().bindings().contains(binding)) {
            throw exclusiveAccessRefused(queue);
        }
        unbind(exchange, binding);
    }

    void bindExchange(String destination, String source, String routingKey, Map<String, Object> args) {
        checkNotDefaultExchange(destination);
        checkNotDefaultExchange(source);
        Exchange to = vhost.exchange(destination);
        Exchange from = vhost.exchange(source);
        bind(from, new Binding(to, routingKey, args));
    }

    /** Unbinding what is gone succeeds, as queue.unbind does. */
    void unbindExchange(String destination, String source, String routingKey, Map<String, Object> args) {
        checkNotDefaultExchange(destination);
        checkNotDefaultExchange(source);
        Exchange to = vhost.findExchange(destination);
        Exchange from = vhost.findExchange(source);
        if (to != null && from != null) {
            unbind(from, new Binding(to, routingKey, args));
        }
    }

    /** Adds {@code binding} to {@code source} (a no-op if it is there already); 406 for bad headers arguments. */
    private void bind(Exchange source, Binding binding) {
        if (source.router() instanceof HeadersRouter) {
            String invalid = HeadersRouter.validateArguments(binding.arguments());
            if (invalid != null) {
                throw BrokerException.preconditionFailed(invalid);
            }
        }
        if (source.router().bind(binding) && isDurable(source, binding.destination())) {
            vhost.record(new Definition.Bound(vhost.name(), source.name(), binding.destination() instanceof Queue,
                    binding.destination().name(), binding.routingKey(), binding.arguments()));
        }
    }

    private void unbind(Exchange source, Binding binding) {
        if (!source.router().unbind(binding)) {
            return;
        }
        if (isDurable(source, binding.destination())) {
            vhost.record(new Definition.Unbound(vhost.name(), source.name(), binding.destination() instanceof Queue,
                    binding.destination().name(), binding.routingKey(), binding.arguments()));
        }
        vhost.deleteIfUnusedAutoDelete(source);
    }

    /** A binding survives a restart when both ends do (built-in exchanges always exist). */
    private static boolean isDurable(Exchange source, Destination destination) {
        boolean durableDestination = destination instanceof Queue queue ? queue.survivesRestart()
                : ((Exchange) destination).durable();
        return source.durable() && durableDestination;
    }
}
