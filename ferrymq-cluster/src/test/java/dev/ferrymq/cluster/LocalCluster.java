package dev.ferrymq.cluster;

import dev.ferrymq.broker.cluster.ClusterConfig;
import dev.ferrymq.broker.cluster.NodeAddress;
import dev.ferrymq.broker.cluster.NodeStatus;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Cluster nodes in this JVM on loopback, each on its own free port and storage directory, for tests. Nodes can be
 * stopped and started again on the same directory. Not thread-safe: driven by one test thread.
 */
final class LocalCluster implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(15);

    private final Path dir;
    private final Map<String, NodeAddress> addresses = new LinkedHashMap<>();
    private final Map<String, ClusterNode> running = new LinkedHashMap<>();
    private final List<NodeAddress> seeds;

    private LocalCluster(Path dir, List<NodeAddress> seeds) {
        this.dir = dir;
        this.seeds = seeds;
        seeds.forEach(seed -> addresses.put(seed.name(), seed));
    }

    /** Seeds n1..nN (not started). */
    static LocalCluster of(Path dir, int seeds) throws IOException {
        List<NodeAddress> nodes = new ArrayList<>();
        for (int i = 1; i <= seeds; i++) {
            nodes.add(new NodeAddress("n" + i, "127.0.0.1", freePort()));
        }
        return new LocalCluster(dir, nodes);
    }

    LocalCluster startAll() throws IOException {
        for (NodeAddress seed : seeds) {
            start(seed.name());
        }
        return this;
    }

    /** A node that is not a seed, on a new port (not started). */
    NodeAddress newNode(String name) throws IOException {
        NodeAddress node = new NodeAddress(name, "127.0.0.1", freePort());
        addresses.put(name, node);
        return node;
    }

    ClusterNode start(String name) throws IOException {
        NodeAddress node = addresses.get(name);
        ClusterNode started = ClusterNode.start(new ClusterConfig(name, "127.0.0.1", node.port(), seeds,
                dir.resolve(name).resolve("cluster")));
        running.put(name, started);
        return started;
    }

    void stop(String name) {
        running.remove(name).close();
    }

    ClusterNode node(String name) {
        return running.get(name);
    }

    List<ClusterNode> running() {
        return List.copyOf(running.values());
    }

    /** Waits until every running node names the same running leader, and returns it. */
    String awaitLeader() throws InterruptedException {
        String[] leader = new String[1];
        await("one leader on every running node", () -> {
            List<String> seen = running.values().stream().map(ClusterNode::leader).distinct().toList();
            leader[0] = seen.size() == 1 ? seen.get(0) : null;
            return leader[0] != null && running.containsKey(leader[0]);
        });
        return leader[0];
    }

    /** Waits until {@code node} lists exactly {@code names} as members, all running. */
    void awaitMembers(ClusterNode node, String... names) throws InterruptedException {
        await(node.nodeName() + " lists members " + List.of(names), () -> {
            List<NodeStatus> nodes = node.nodes();
            return nodes.stream().map(NodeStatus::name).toList().equals(List.of(names))
                    && nodes.stream().allMatch(NodeStatus::running);
        });
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + WAIT + " waiting for: " + what);
            }
            Thread.sleep(50);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        for (ClusterNode node : running.values()) {
            node.close();
        }
        running.clear();
    }
}
