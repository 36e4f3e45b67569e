package dev.ferrymq.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferrymq.broker.cluster.NodeAddress;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ferrymq cluster status|add-node|remove-node}: the cluster's members through any node's management API
 * ({@code /api/nodes}), as {@code rabbitmqctl cluster_status}, {@code join_cluster} and {@code forget_cluster_node}
 * do for RabbitMQ. See docs/cluster.md.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "Show or change the members of the cluster (through a node's management API).",
        subcommands = {ClusterCommands.Status.class, ClusterCommands.AddNode.class, ClusterCommands.RemoveNode.class})
final class ClusterCommands implements Runnable {
    @Spec
    CommandSpec spec;

    /** {@code ferrymq cluster} alone: the usage. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "say status, add-node or remove-node");
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "List the members: name, cluster address, running, Raft role (leader/follower).")
    static final class Status extends ClientCommands.Base {
        @Override
        void run() throws Exception {
            System.out.println("name\taddress\trunning\trole");
            for (JsonNode node : http("GET", "nodes", null)) {
                System.out.println(node.path("name").asText() + "\t" + node.path("address").asText("-") + "\t"
                        + node.path("running").asBoolean() + "\t" + node.path("role").asText("-"));
            }
        }
    }

    @Command(name = "add-node", mixinStandardHelpOptions = true,
            description = "Add a running node (started with the cluster's seeds, not among them) to the cluster.")
    static final class AddNode extends ClientCommands.Base {
        @Parameters(paramLabel = "NAME@HOST:PORT", description = "The node's name and cluster address, e.g. "
                + "n4@127.0.0.1:7804.")
        String node;

        @Override
        void run() throws Exception {
            NodeAddress address;
            try {
                address = NodeAddress.parse(node);
            } catch (IllegalArgumentException e) {
                throw new Refused(e.getMessage());
            }
            http("PUT", "nodes/" + enc(address.name()), JSON.createObjectNode().put("address", address.address()));
            System.out.println("node " + address.name() + " added");
        }
    }

    @Command(name = "remove-node", mixinStandardHelpOptions = true,
            description = "Remove a member from the cluster (it may be running or down).")
    static final class RemoveNode extends ClientCommands.Base {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        void run() throws Exception {
            http("DELETE", "nodes/" + enc(name), null);
            System.out.println("node " + name + " removed");
        }
    }
}
