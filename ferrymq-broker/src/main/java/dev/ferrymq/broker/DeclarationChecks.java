package dev.ferrymq.broker;

import dev.ferrymq.broker.queue.ExclusiveOwner;
import dev.ferrymq.broker.queue.Queue;

import java.util.Map;
import java.util.Objects;

/**
 * The checks of exchange and queue declarations, with RabbitMQ's reply codes and texts: reserved names, the default
 * exchange, equivalence of a redeclaration, exclusive access. Stateless.
 */
final class DeclarationChecks {
    private DeclarationChecks() {
    }

    static void checkExclusiveAccess(Queue queue, ExclusiveOwner connection) {
        if (!queue.isExclusiveTo(connection)) {
            throw exclusiveAccessRefused(queue);
        }
    }

    static BrokerException exclusiveAccessRefused(Queue queue) {
        return BrokerException.resourceLocked("cannot obtain exclusive access to locked " + queue
                + ". It could be originally declared on another connection or the exclusive property value"
                + " does not match that of the original declaration.");
    }

    static void checkNotDefaultExchange(String exchangeName) {
        if (exchangeName.isEmpty()) {
            throw BrokerException.accessRefused("operation not permitted on the default exchange");
        }
    }

    static void checkNotReserved(String kind, String entityName) {
        if (entityName.startsWith("amq.")) {
            throw BrokerException.accessRefused(kind + " name '" + entityName + "' contains reserved prefix 'amq.*'");
        }
    }

    /** A redeclared exchange must match the one there: 406 otherwise. */
    static void checkRedeclaredExchange(Exchange existing, String vhost, String type, boolean durable,
                                        boolean autoDelete, boolean internal, Map<String, Object> args) {
        String what = "exchange '" + existing.name() + "' in vhost '" + vhost + "'";
        checkEquivalent("type", what, type, existing.type());
        checkEquivalent("durable", what, durable, existing.durable());
        checkEquivalent("auto_delete", what, autoDelete, existing.autoDelete());
        checkEquivalent("internal", what, internal, existing.internal());
        checkEquivalentArguments(what, args, existing.arguments());
    }

    /**
     * A redeclared queue must match the one there. As RabbitMQ: the exclusive flag must match too, and a mismatch
     * is 405 like any exclusivity clash; other differences are 406.
     */
    static void checkRedeclaredQueue(Queue existing, String vhost, boolean durable, boolean exclusive,
                                     boolean autoDelete, Map<String, Object> args, ExclusiveOwner connection) {
        boolean sameExclusivity = exclusive ? existing.exclusive() && existing.isExclusiveTo(connection)
                : !existing.exclusive();
        if (!sameExclusivity) {
            throw exclusiveAccessRefused(existing);
        }
        String what = "queue '" + existing.name() + "' in vhost '" + vhost + "'";
        checkEquivalent("durable", what, durable, existing.durable());
        checkEquivalent("auto_delete", what, autoDelete, existing.autoDelete());
        checkEquivalentArguments(what, args, existing.arguments());
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
}
