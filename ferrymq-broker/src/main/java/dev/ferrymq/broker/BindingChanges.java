package dev.ferrymq.broker;

import dev.ferrymq.broker.persistence.Definition;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.routing.Binding;
import dev.ferrymq.broker.routing.Destination;
import dev.ferrymq.broker.routing.HeadersRouter;

import java.util.function.Consumer;

/**
 * Adds and removes one binding of a virtual host's exchange, and records the change in the definitions log when
 * the binding is durable. Called by the {@link VirtualHost} under its lock; holds no state of its own.
 */
final class BindingChanges {
    private final String vhost;
    private final Consumer<Definition> record;

    BindingChanges(String vhost, Consumer<Definition> record) {
        this.vhost = vhost;
        this.record = record;
    }

    /** Adds {@code binding} to {@code source} (a no-op if it is there already); 406 for bad headers arguments. */
    void bind(Exchange source, Binding binding) {
        if (source.router() instanceof HeadersRouter) {
            String invalid = HeadersRouter.validateArguments(binding.arguments());
            if (invalid != null) {
                throw BrokerException.preconditionFailed(invalid);
            }
        }
        if (source.router().bind(binding) && isDurable(source, binding.destination())) {
            record.accept(new Definition.Bound(vhost, source.name(), binding.destination() instanceof Queue,
                    binding.destination().name(), binding.routingKey(), binding.arguments()));
        }
    }

    /** Removes {@code binding} from {@code source}; false if it was not there. */
    boolean unbind(Exchange source, Binding binding) {
        if (!source.router().unbind(binding)) {
            return false;
        }
        if (isDurable(source, binding.destination())) {
            record.accept(new Definition.Unbound(vhost, source.name(), binding.destination() instanceof Queue,
                    binding.destination().name(), binding.routingKey(), binding.arguments()));
        }
        return true;
    }

    /** A binding survives a restart when both ends do (built-in exchanges always exist). */
    private static boolean isDurable(Exchange source, Destination destination) {
        boolean durableDestination = destination instanceof Queue queue ? queue.keepsPersistentMessages()
                : ((Exchange) destination).durable();
        return source.durable() && durableDestination;
    }
}
