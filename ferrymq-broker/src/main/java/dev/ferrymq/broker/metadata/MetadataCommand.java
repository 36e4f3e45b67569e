package dev.ferrymq.broker.metadata;

import dev.ferrymq.broker.Broker;
import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.broker.Policy;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.broker.cluster.NodeEndpoints;

import java.util.List;
import java.util.Map;

/**
 * One change to the broker's metadata that a cluster replicates: every node applies the same commands in the same
 * order ({@link Broker#applyReplicated}) and so reaches the same vhosts, users, permissions, policies, exchanges and
 * exchange-to-exchange bindings, and the same classic queue declarations (each with its home node) and bindings to
 * them. {@link #applyTo} calls the broker's ordinary methods, so a replicated change runs
 * the same code as a single node's; what it returns ({@code null} or a Boolean) or throws is the answer the
 * proposing node gets back ({@link MetadataAnswer}). It must depend only on the broker's replicated state.
 */
public sealed interface MetadataCommand {

    /** Applies the command to this node's broker; a refusal is thrown as it would be on a single node. */
    Object applyTo(Broker broker);

    record AddVhost(String name) implements MetadataCommand {
        @Override
        public Object applyTo(Broker broker) {
            broker.addVirtualHost(name);
            return null;
        }
    }

    record DeleteVhost(String name) implements MetadataCommand {
        @Override
        public Object applyTo(Broker broker) {
            return broker.deleteVirtualHost(name);
        }
    }

    record PutUser(String name, byte[] passwordHash, List<String> tags) implements MetadataCommand {
        @Override
        public Object applyTo(Broker broker) {
            broker.putUser(name, passwordHash, tags);
            return null;
        }
    }

    record DeleteUser(String name) implements MetadataCommand {
        @Override
        public Object applyTo(Broker broker) {
            return broker.deleteUser(name);
        }
    }

    record SetPermissions(String user, String vhost, String configure, String write, String read)
            implements MetadataCommand {
        @Override
        public Object applyTo(Broker broker) {
            broker.setPermissions(user, vhost, configure, write, read);
            return null;
        }
    }

    record ClearPermissions(String user, String vhost) implements MetadataCommand {
        @Override
        public Object applyTo(Broker broker) {
            return broker.clearPermissions(user, vhost);
        }
    }

    record SetTopicPermission(String user, String vhost, String exchange, String write, String read)
            implements MetadataCommand {
        @Override
        public Object applyTo(Broker broker) {
            broker.setTopicPermission(user, vhost, exchange, write, read);
            return null;
        }
    }

    /** One exchange's topic permission, or ({@code exchange} null) all of the user's in the vhost. */
    record ClearTopicPermission(String user, String vhost, String exchange) implements MetadataCommand {
        @Override
        public Object applyTo(Broker broker) {
            return exchange == null ? broker.clearTopicPermissions(user, vhost)
                    : broker.clearTopicPermission(user, vhost, exchange);
        }
    }

    record SetPolicy(String vhost, String name, boolean operator, String pattern, String applyTo, int priority,
                     Map<String, Object> definition) implements MetadataCommand {
        public static SetPolicy of(Policy policy) {
            return new SetPolicy(policy.vhost(), policy.name(), policy.operator(), policy.pattern(),
                    policy.applyTo().value(), policy.priority(), policy.definition());
        }

        @Override
        public Object applyTo(Broker broker) {
            existingVhost(broker, vhost).setPolicy(Policy.of(vhost, name, operator, pattern, Policy.ApplyTo.parse(applyTo),
                    priority, definition));
            return null;
        }
    }

    record ClearPolicy(String vhost, String name, boolean operator) implements MetadataCommand {
        @Override
        public Object applyTo(Broker broker) {
            return existingVhost(broker, vhost).clearPolicy(name, operator);
        }
    }

    record DeclareExchange(String vhost, String name, String type, boolean durable, boolean autoDelete,
                           boolean internal, Map<String, Object> arguments) implements MetadataCommand {
        @Override
        public Object applyTo(Broker broker) {
            existingVhost(broker, vhost).declareExchange(name, type, false, durable, autoDelete, internal, arguments);
            return null;
        }
    }

    record DeleteExchange(String vhost, String name, boolean ifUnused) implements MetadataCommand {
        @Override
        public Object applyTo(Broker broker) {
            existingVhost(broker, vhost).deleteExchange(name, ifUnused);
            return null;
        }
    }

    /** exchange.bind ({@code bind}) or exchange.unbind. */
    record BindExchange(boolean bind, String vhost, String destination, String source, String routingKey,
                        Map<String, Object> arguments) implements MetadataCommand {
        @Override
        public Object applyTo(Broker broker) {
            VirtualHost host = existingVhost(broker, vhost);
            if (bind) {
                host.bindExchange(destination, source, routingKey, arguments);
            } else {
                host.unbindExchange(destination, source, routingKey, arguments);
            }
            return null;
        }
    }

    /** A classic queue, not exclusive, held by {@code homeNode}; the other nodes get a proxy of it. */
    record DeclareQueue(String vhost, String name, boolean durable, boolean autoDelete, Map<String, Object> arguments,
                        String homeNode) implements MetadataCommand {
        @Override
        public Object applyTo(Broker broker) {
            existingVhost(broker, vhost).declareReplicatedQueue(name, durable, autoDelete, arguments, homeNode);
            return null;
        }
    }

    /** Deletes a replicated queue (the proposer checked if-unused and if-empty). */
    record DeleteQueue(String vhost, String name) implements MetadataCommand {
        @Override
        public Object applyTo(Broker broker) {
            existingVhost(broker, vhost).deleteQueue(name, false, false, null);
            return null;
        }
    }

    /** queue.bind ({@code bind}) or queue.unbind of a replicated queue. */
    record BindQueue(boolean bind, String vhost, String queue, String exchange, String routingKey,
                     Map<String, Object> arguments) implements MetadataCommand {
        @Override
        public Object applyTo(Broker broker) {
            VirtualHost host = existingVhost(broker, vhost);
            if (bind) {
                host.bindQueue(queue, exchange, routingKey, arguments, null);
            } else {
                host.unbindQueue(queue, exchange, routingKey, arguments, null);
            }
            return null;
        }
    }

    /**
     * A node's AMQP listener and internode secret, announced by the node itself each time it starts: a new
     * incarnation of a node drops the non-durable classic queues it held (they did not survive its restart).
     */
    record SetNodeEndpoint(String node, String host, int port, String secret, long incarnation)
            implements MetadataCommand {
        @Override
        public Object applyTo(Broker broker) {
            if (broker.nodeEndpoints().put(new NodeEndpoints.Endpoint(node, host, port, secret, incarnation))) {
                broker.forgetTransientQueuesOf(node);
            }
            return null;
        }
    }

    private static VirtualHost existingVhost(Broker broker, String name) {
        VirtualHost vhost = broker.virtualHost(name);
        if (vhost == null) {
            throw BrokerException.notFound("no vhost '" + name + "'");
        }
        return vhost;
    }
}
