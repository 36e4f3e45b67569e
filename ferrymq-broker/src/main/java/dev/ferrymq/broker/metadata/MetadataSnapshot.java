package dev.ferrymq.broker.metadata;

import dev.ferrymq.broker.Broker;
import dev.ferrymq.broker.Exchange;
import dev.ferrymq.broker.Permissions;
import dev.ferrymq.broker.Policy;
import dev.ferrymq.broker.TopicPermissions;
import dev.ferrymq.broker.Users;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.broker.cluster.NodeEndpoints;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.queue.RemoteQueues;
import dev.ferrymq.broker.routing.Binding;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The whole replicated metadata of a broker as the commands that recreate it (vhosts, users, permissions, topic
 * permissions, policies, exchanges, exchange-to-exchange bindings, in an order where each refers only to what
 * comes before; then the classic queues with their home node and their bindings, and the nodes' endpoints), and
 * the way back: making a broker's replicated metadata exactly a snapshot's. Exclusive queues, streams and quorum
 * queues (which have groups of their own) are not in it. Call both from the log's apply thread.
 */
public final class MetadataSnapshot {
    private MetadataSnapshot() {
    }

    public static List<MetadataCommand> capture(Broker broker) {
        List<MetadataCommand> commands = new ArrayList<>();
        for (NodeEndpoints.Endpoint e : broker.nodeEndpoints().all()) {
            commands.add(new MetadataCommand.SetNodeEndpoint(e.node(), e.host(), e.port(), e.secret(),
                    e.incarnation()));
        }
        for (VirtualHost vhost : broker.virtualHosts()) {
            commands.add(new MetadataCommand.AddVhost(vhost.name()));
        }
        for (Users.User user : broker.users().all()) {
            commands.add(new MetadataCommand.PutUser(user.name(), user.passwordHash(), user.tags()));
        }
        for (Permissions.Permission p : broker.permissions().all()) {
            commands.add(new MetadataCommand.SetPermissions(p.user(), p.vhost(), p.configure(), p.write(), p.read()));
        }
        for (TopicPermissions.TopicPermission p : broker.topicPermissions().all()) {
            commands.add(new MetadataCommand.SetTopicPermission(p.user(), p.vhost(), p.exchange(), p.write(),
                    p.read()));
        }
        for (VirtualHost vhost : broker.virtualHosts()) {
            for (boolean operator : new boolean[] {false, true}) {
                for (Policy policy : vhost.policies().all(operator)) {
                    commands.add(MetadataCommand.SetPolicy.of(policy));
                }
            }
            for (Exchange exchange : vhost.exchanges()) {
                if (replicated(exchange)) {
                    commands.add(new MetadataCommand.DeclareExchange(vhost.name(), exchange.name(), exchange.type(),
                            exchange.durable(), exchange.autoDelete(), exchange.internal(), exchange.arguments()));
                }
            }
            for (Exchange source : vhost.exchanges()) {
                for (Binding binding : source.router().bindings()) {
                    if (binding.destination() instanceof Exchange destination) {
                        commands.add(new MetadataCommand.BindExchange(true, vhost.name(), destination.name(),
                                source.name(), binding.routingKey(), binding.arguments()));
                    }
                }
            }
            captureQueues(broker, vhost, commands);
        }
        return commands;
    }

    private static void captureQueues(Broker broker, VirtualHost vhost, List<MetadataCommand> commands) {
        RemoteQueues remote = vhost.remoteQueues();
        if (remote == null) {
            return;
        }
        for (Queue queue : vhost.queues()) {
            if (vhost.isReplicated(queue)) {
                commands.add(new MetadataCommand.DeclareQueue(vhost.name(), queue.name(), queue.durable(),
                        queue.autoDelete(), queue.arguments(), remote.homeOf(queue)));
            }
        }
        for (Exchange source : vhost.exchanges()) {
            for (Binding binding : source.router().bindings()) {
                if (binding.destination() instanceof Queue queue && vhost.isReplicated(queue)) {
                    commands.add(new MetadataCommand.BindQueue(true, vhost.name(), queue.name(), source.name(),
                            binding.routingKey(), binding.arguments()));
                }
            }
        }
    }

    /**
     * Makes {@code broker}'s replicated metadata the snapshot's: applies its commands, then deletes the vhosts,
     * users, policies and exchanges the snapshot does not have (a node that missed their deletion).
     */
    public static void restore(Broker broker, List<MetadataCommand> commands) {
        Set<String> vhosts = new HashSet<>();
        Set<String> users = new HashSet<>();
        Set<List<Object>> policies = new HashSet<>();
        Set<List<String>> exchanges = new HashSet<>();
        Set<List<String>> queues = new HashSet<>();
        for (MetadataCommand command : commands) {
            if (command instanceof MetadataCommand.AddVhost c) {
                vhosts.add(c.name());
            } else if (command instanceof MetadataCommand.PutUser c) {
                users.add(c.name());
            } else if (command instanceof MetadataCommand.SetPolicy c) {
                policies.add(List.of(c.vhost(), c.name(), c.operator()));
            } else if (command instanceof MetadataCommand.DeclareExchange c) {
                exchanges.add(List.of(c.vhost(), c.name()));
            } else if (command instanceof MetadataCommand.DeclareQueue c) {
                queues.add(List.of(c.vhost(), c.name()));
            }
        }
        for (VirtualHost vhost : broker.virtualHosts()) {
            if (!vhosts.contains(vhost.name())) {
                broker.applyReplicated(new MetadataCommand.DeleteVhost(vhost.name()));
            }
        }
        for (Users.User user : List.copyOf(broker.users().all())) {
            if (!users.contains(user.name())) {
                broker.applyReplicated(new MetadataCommand.DeleteUser(user.name()));
            }
        }
        for (VirtualHost vhost : broker.virtualHosts()) {
            for (Queue queue : List.copyOf(vhost.queues())) {
                if (vhost.isReplicated(queue) && !queues.contains(List.of(vhost.name(), queue.name()))) {
                    broker.applyReplicated(new MetadataCommand.DeleteQueue(vhost.name(), queue.name()));
                }
            }
        }
        for (MetadataCommand command : commands) {
            MetadataAnswer.of(command, broker::applyReplicated); // a refusal here leaves the rest to apply
        }
        for (VirtualHost vhost : broker.virtualHosts()) {
            for (boolean operator : new boolean[] {false, true}) {
                for (Policy policy : vhost.policies().all(operator)) {
                    if (!policies.contains(List.of(vhost.name(), policy.name(), operator))) {
                        broker.applyReplicated(new MetadataCommand.ClearPolicy(vhost.name(), policy.name(), operator));
                    }
                }
            }
            for (Exchange exchange : List.copyOf(vhost.exchanges())) {
                if (replicated(exchange) && !exchanges.contains(List.of(vhost.name(), exchange.name()))) {
                    MetadataAnswer.of(new MetadataCommand.DeleteExchange(vhost.name(), exchange.name(), false),
                            broker::applyReplicated);
                }
            }
        }
    }

    /** The default exchange and amq.* exist on every vhost of every node: they are not replicated. */
    private static boolean replicated(Exchange exchange) {
        return !exchange.name().isEmpty() && !exchange.name().startsWith("amq.");
    }
}
