package dev.ferrymq.cluster.quorum;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;

/**
 * A quorum queue group on N in-JVM Ratis servers (Netty on loopback, ephemeral ports, one data directory per
 * peer), built the multi-raft way: each server gets a state machine registry, not a fixed state machine.
 * Peer ids are the node names ({@code n1}...), so effects can be routed by {@link Effect#runsOn}.
 */
final class RatisTestCluster implements AutoCloseable {
    /** Ratis' shaded Netty logs every read at INFO through java.util.logging; held so the level sticks. */
    private static final java.util.logging.Logger NETTY_LOG = quiet("org.apache.ratis.thirdparty.io.netty");

    final RaftGroup group;
    private final Path root;
    private final Consumer<RaftProperties> tuning;
    private final Map<RaftPeerId, RaftServer> servers = new LinkedHashMap<>();
    private final Map<RaftPeerId, QuorumQueueStateMachine> machines = new ConcurrentHashMap<>();
    /** Per node, the effects that node would carry out. */
    final Map<String, List<Effect>> effectsRun = new LinkedHashMap<>();
    private final List<RaftClient> clients = new ArrayList<>();

    RatisTestCluster(Path root, int size, Consumer<RaftProperties> tuning) throws IOException {
        this(root, size, 0, tuning);
    }

    /**
     * @param listeners non-voting members after the voters: they apply the log but never vote or lead, which
     *                  is how a node outside the queue's members can serve its consumers
     */
    RatisTestCluster(Path root, int voters, int listeners, Consumer<RaftProperties> tuning) throws IOException {
        this.root = root;
        this.tuning = tuning;
        List<RaftPeer> peers = new ArrayList<>();
        for (int i = 1; i <= voters + listeners; i++) {
            peers.add(RaftPeer.newBuilder().setId("n" + i).setAddress("127.0.0.1:" + freePort())
                    .setStartupRole(i > voters ? RaftPeerRole.LISTENER : RaftPeerRole.FOLLOWER).build());
        }
        group = RaftGroup.valueOf(RaftGroupId.randomId(), peers);
        for (RaftPeer peer : peers) {
            effectsRun.put(peer.getId().toString(), new CopyOnWriteArrayList<>());
            start(peer, RaftStorage.StartupOption.FORMAT);
        }
    }

    private void start(RaftPeer peer, RaftStorage.StartupOption option) throws IOException {
        String node = peer.getId().toString();
        RaftProperties properties = properties();
        RaftServerConfigKeys.setStorageDir(properties, List.of(root.resolve(node).toFile()));
        GrpcConfigKeys.Server.setHost(properties, "127.0.0.1");
        GrpcConfigKeys.Server.setPort(properties, Integer.parseInt(peer.getAddress().split(":")[1]));
        List<Effect> run = effectsRun.get(node);
        RaftServer server = RaftServer.newBuilder()
                .setServerId(peer.getId())
                .setGroup(group)
                .setProperties(properties)
                .setOption(option)
                .setStateMachineRegistry(groupId -> {
                    QuorumQueueStateMachine machine = new QuorumQueueStateMachine((index, leader, effects) ->
                            effects.stream().filter(e -> e.runsOn(node, leader)).forEach(run::add));
                    machines.put(peer.getId(), machine);
                    return machine;
                })
                .build();
        server.start();
        servers.put(peer.getId(), server);
    }

    private RaftProperties properties() {
        RaftProperties properties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.GRPC);
        // Ratis' 150-300 ms default is shorter than a GC pause on a loaded 2-core machine.
        RaftServerConfigKeys.Rpc.setTimeoutMin(properties, TimeDuration.valueOf(1000, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties, TimeDuration.valueOf(2000, TimeUnit.MILLISECONDS));
        tuning.accept(properties);
        return properties;
    }

    RaftClient client() {
        RaftClient client = RaftClient.newBuilder().setProperties(properties()).setRaftGroup(group).build();
        clients.add(client);
        return client;
    }

    static RaftClientReply send(RaftClient client, QueueCommand command) {
        try {
            RaftClientReply reply = client.io().send(Message.valueOf(ByteString.copyFrom(CommandCodec.encode(command))));
            if (!reply.isSuccess()) {
                throw new IllegalStateException("not committed: " + reply);
            }
            return reply;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Reply reply(RaftClientReply raftReply) throws IOException {
        return Reply.decode(raftReply.getMessage().getContent().toByteArray());
    }

    QuorumQueueStateMachine machine(RaftPeerId peer) {
        return machines.get(peer);
    }

    List<RaftPeerId> running() {
        return List.copyOf(servers.keySet());
    }

    RaftServer.Division division(RaftPeerId peer) throws IOException {
        return servers.get(peer).getDivision(group.getGroupId());
    }

    RaftPeerId awaitLeader(Duration timeout) {
        RaftPeerId[] found = new RaftPeerId[1];
        await(timeout, () -> {
            for (RaftPeerId peer : servers.keySet()) {
                try {
                    if (division(peer).getInfo().isLeaderReady()) {
                        found[0] = peer;
                        return true;
                    }
                } catch (IOException e) {
                    // not up yet
                }
            }
            return false;
        });
        return found[0];
    }

    /** Waits until every running replica applied {@code index}. */
    void awaitApplied(long index, Duration timeout) {
        await(timeout, () -> servers.keySet().stream()
                .allMatch(peer -> machine(peer).stats().lastAppliedIndex() >= index));
    }

    void kill(RaftPeerId peer) throws IOException {
        servers.remove(peer).close();
    }

    void restart(RaftPeerId peer) throws IOException {
        start(group.getPeer(peer), RaftStorage.StartupOption.RECOVER);
    }

    static void await(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static java.util.logging.Logger quiet(String name) {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
        logger.setLevel(java.util.logging.Level.WARNING);
        return logger;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws IOException {
        for (RaftClient client : clients) {
            client.close();
        }
        for (RaftServer server : servers.values()) {
            server.close();
        }
        servers.clear();
    }
}
