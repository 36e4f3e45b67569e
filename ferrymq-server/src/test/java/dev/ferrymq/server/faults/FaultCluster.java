package dev.ferrymq.server.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.ConnectionFactory;
import dev.ferrymq.server.cluster.NodeProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * N FerryMQ nodes as separate processes ({@link NodeProcess}, each with its own data directory), on a
 * {@link NodeNetwork} when this machine allows one (then partitions are possible), else on 127.0.0.1. Knows which
 * nodes are killed or paused, so nobody waits on a frozen node's management API. Also the workload's
 * {@link Endpoints}. Faults are applied by the nemesis thread; the leader watch reads concurrently.
 */
final class FaultCluster implements Endpoints, AutoCloseable {
    private final List<NodeProcess> nodes = new ArrayList<>();
    private final Optional<NodeNetwork> network;
    private final String noNetworkReason;
    /** The harness's user on a {@link NodeNetwork} (guest may only come from loopback); password the same. */
    private static final String USER = "faults";

    private final Set<Integer> paused = ConcurrentHashMap.newKeySet();
    private final Set<Integer> killed = ConcurrentHashMap.newKeySet();
    private final Path dir;

    private FaultCluster(Path dir, Optional<NodeNetwork> network, String noNetworkReason) {
        this.dir = dir;
        this.network = network;
        this.noNetworkReason = noNetworkReason;
    }

    /** Starts {@code size} nodes (a network of namespaces if {@code wantNetwork} and possible) and waits for them. */
    static FaultCluster start(Path dir, int size, boolean wantNetwork) throws Exception {
        NodeNetwork.Result result = wantNetwork ? NodeNetwork.create(size)
                : new NodeNetwork.Result(Optional.empty(), "-Dferrymq.faults.network=false");
        FaultCluster cluster = new FaultCluster(dir, result.network(), result.whyNot());
        try {
            cluster.startNodes(size);
            return cluster;
        } catch (Exception | AssertionError e) {
            cluster.close();
            throw e;
        }
    }

    private void startNodes(int size) throws Exception {
        List<String> hosts = new ArrayList<>();
        List<Integer> clusterPorts = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            hosts.add(network.isPresent() ? network.get().address(i) : "127.0.0.1");
            clusterPorts.add(NodeProcess.freePort());
        }
        StringBuilder seeds = new StringBuilder();
        for (int i = 0; i < size; i++) {
            seeds.append(i == 0 ? "" : ",").append("n").append(i + 1).append('@').append(hosts.get(i)).append(':')
                    .append(clusterPorts.get(i));
        }
        for (int i = 0; i < size; i++) {
            List<String> prefix = network.isPresent() ? network.get().launchPrefix(i) : List.of();
            nodes.add(new NodeProcess(dir, "n" + (i + 1), hosts.get(i), clusterPorts.get(i), List.of(
                    "--cluster-seeds", seeds.toString(),
                    // Ratis' buffers count towards the alarm, and the nodes have a 128 MiB heap
                    "--memory-high-watermark", "0.95"), prefix).start());
        }
        if (network.isPresent()) {
            // a loaded machine can take a minute to elect the first metadata leader
            network.get().createUser(0, nodes.get(0).managementPort, USER, NodeProcess.START_TIMEOUT.toMillis() * 4);
            nodes.forEach(node -> node.useCredentials(USER + ":" + USER));
        }
        for (NodeProcess node : nodes) {
            node.awaitServing();
        }
    }

    boolean canPartition() {
        return network.isPresent();
    }

    String noNetworkReason() {
        return noNetworkReason;
    }

    NodeNetwork network() {
        return network.orElseThrow();
    }

    List<NodeProcess> nodes() {
        return nodes;
    }

    NodeProcess node(int i) {
        return nodes.get(i);
    }

    int indexOf(String name) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).name.equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Whether node {@code i} runs and is not paused (its management API can answer). */
    boolean answers(int i) {
        return !paused.contains(i) && !killed.contains(i) && nodes.get(i).isRunning();
    }

    void kill(int i) throws InterruptedException {
        killed.add(i);
        nodes.get(i).kill9();
    }

    void restart(int i) throws Exception {
        nodes.get(i).start().awaitServing();
        killed.remove(i);
    }

    void pause(int i) throws Exception {
        paused.add(i);
        nodes.get(i).signal("STOP");
    }

    void resume(int i) throws Exception {
        nodes.get(i).signal("CONT");
        paused.remove(i);
    }

    /** GET /api/{path} on node {@code i}, or null if it does not answer. */
    JsonNode get(int i, String path) {
        return answers(i) ? nodes.get(i).get(path) : null;
    }

    /**
     * The leader of {@code queue} as most answering nodes name it (a node cut off in a minority may still name the
     * old one), or empty if none names one.
     */
    Optional<String> queueLeader(String queue) {
        Map<String, Integer> votes = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            JsonNode shown = get(i, "queues/%2F/" + queue);
            String leader = shown == null ? "" : shown.path("leader").asText("");
            if (!leader.isEmpty() && !leader.equals("null")) {
                votes.merge(leader, 1, Integer::sum);
            }
        }
        return votes.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey);
    }

    @Override
    public int size() {
        return nodes.size();
    }

    @Override
    public String name(int node) {
        return nodes.get(node).name;
    }

    @Override
    public ConnectionFactory factory(int node) {
        NodeProcess process = nodes.get(node);
        String user = network.isPresent() ? USER : "guest";
        return Endpoints.factory(process.host, process.amqpPort, user, user);
    }

    /** Heals everything (resumes paused nodes, restarts killed ones, joins the network). */
    void healAll() throws Exception {
        if (network.isPresent()) {
            network.get().healAll();
        }
        for (int i : List.copyOf(paused)) {
            resume(i);
        }
        for (int i : List.copyOf(killed)) {
            restart(i);
        }
    }

    /** Stops every node and keeps their logs in {@code logs} (the data directories may be temporary). */
    void close(Path logs) throws Exception {
        Files.createDirectories(logs);
        for (NodeProcess node : nodes) {
            Files.writeString(logs.resolve(node.name + ".log"), node.log());
        }
        close();
    }

    @Override
    public void close() throws Exception {
        for (NodeProcess node : nodes) {
            node.close();
        }
        network.ifPresent(NodeNetwork::close);
    }
}
