package dev.ferrymq.broker.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;

/**
 * What a node needs to take part in a cluster.
 *
 * @param nodeName   this node's name, unique in the cluster
 * @param bind       the address the cluster listener binds to
 * @param port       the cluster listener's port (a seed's must be the one the seeds give it)
 * @param seeds      the nodes that form the cluster on first start; a node not among them starts empty and waits to
 *                   be added ({@code ferrymq cluster add-node})
 * @param storageDir where this node keeps its Raft logs and snapshots ({@code <data-dir>/cluster})
 * @param amqpPort   this node's AMQP port, where other nodes reach the classic queues homed here
 */
public record ClusterConfig(String nodeName, String bind, int port, List<NodeAddress> seeds, Path storageDir,
                            int amqpPort) {
    public static final int DEFAULT_AMQP_PORT = 5672;

    public ClusterConfig(String nodeName, String bind, int port, List<NodeAddress> seeds, Path storageDir) {
        this(nodeName, bind, port, seeds, storageDir, DEFAULT_AMQP_PORT);
    }

    public ClusterConfig {
        seeds = List.copyOf(seeds);
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("a cluster needs at least one seed node");
        }
        for (NodeAddress seed : seeds) {
            if (seed.name().equals(nodeName) && seed.port() != port) {
                throw new IllegalArgumentException("the cluster seeds give node " + nodeName + " port " + seed.port()
                        + " but its cluster-port is " + port);
            }
        }
    }

    /**
     * The host other nodes reach this one at: its own seed entry's host, else the bind address unless it is a
     * wildcard, else this machine's address.
     */
    public String advertisedHost() {
        for (NodeAddress seed : seeds) {
            if (seed.name().equals(nodeName)) {
                return seed.host();
            }
        }
        if (bind != null && !bind.isEmpty() && !bind.equals("0.0.0.0") && !bind.equals("::")) {
            return bind;
        }
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            return "127.0.0.1";
        }
    }

    /** Whether this node is one of the seeds (and so forms the cluster rather than waiting to be added). */
    public boolean isSeed() {
        return seeds.stream().anyMatch(seed -> seed.name().equals(nodeName));
    }
}
