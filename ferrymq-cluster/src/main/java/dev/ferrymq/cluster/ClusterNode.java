package dev.ferrymq.cluster;

import dev.ferrymq.broker.cluster.Cluster;
import dev.ferrymq.broker.cluster.ClusterConfig;
import dev.ferrymq.broker.cluster.ClusterException;
import dev.ferrymq.broker.cluster.NodeAddress;
import dev.ferrymq.broker.cluster.NodeStatus;
import dev.ferrymq.cluster.membership.Membership;
import dev.ferrymq.cluster.membership.Peers;
import dev.ferrymq.cluster.metadata.CommandCount;
import dev.ferrymq.cluster.metadata.MetadataGroup;
import dev.ferrymq.cluster.metadata.MetadataLog;
import dev.ferrymq.cluster.metadata.MetadataStateMachine;
import dev.ferrymq.cluster.metadata.ReplicatedMetadata;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * This node's membership in a FerryMQ cluster: its one Ratis {@link RaftServer} (listening on the cluster port,
 * keeping every group's log under {@code <data-dir>/cluster/}), the metadata group on it, and the cluster's
 * membership as {@link Cluster} shows and changes it.
 *
 * <p>Start-up: a seed node starts the metadata group with all seeds as its first members; a node that is not a
 * seed starts it empty and waits until a member adds it ({@link #addNode}), then receives the log. A node that has
 * been a member before recovers the group, its membership included, from its storage, whatever its seeds say.
 * Thread-safe.
 */
public final class ClusterNode implements Cluster {
    private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);

    private final ClusterConfig config;
    private final RaftServer server;
    private final MetadataStateMachine metadata;
    private final List<AutoCloseable> closedFirst = new CopyOnWriteArrayList<>();
    private final MetadataLog metadataLog;
    private final Membership membership;

    private ClusterNode(ClusterConfig config, RaftServer server, MetadataStateMachine metadata,
                        MetadataLog metadataLog) {
        this.config = config;
        this.server = server;
        this.metadata = metadata;
        this.metadataLog = metadataLog;
        this.membership = new Membership(server, MetadataGroup.ID,
                new NodeAddress(config.nodeName(), config.bind(), config.port()));
    }

    /**
     * Starts the Raft server and the metadata group with a {@link CommandCount} as its state (tests; a server
     * replicates its broker's metadata, {@code RatisClusterProvider}); returns once the cluster port listens.
     */
    public static ClusterNode start(ClusterConfig config) throws IOException {
        return start(config, new GroupStateMachines(), new CommandCount());
    }

    /**
     * Like {@link #start(ClusterConfig)}, replicating {@code replicated} in the metadata group, with resolvers for
     * further kinds of groups (quorum queues) already in {@code stateMachines}: Ratis asks for the state machines
     * of the groups it finds in storage while it starts.
     */
    public static ClusterNode start(ClusterConfig config, GroupStateMachines stateMachines,
                                    ReplicatedMetadata replicated) throws IOException {
        Files.createDirectories(config.storageDir());
        checkPortFree(config.bind(), config.port());
        RaftGroup initial = config.isSeed() ? RaftGroup.valueOf(MetadataGroup.ID, Peers.peers(config.seeds()))
                : RaftGroup.valueOf(MetadataGroup.ID);
        MetadataStateMachine metadata = new MetadataStateMachine(replicated);
        stateMachines.register(groupId -> groupId.equals(MetadataGroup.ID) ? metadata : null);
        RaftServer server = RaftServer.newBuilder()
                .setServerId(Peers.id(config.nodeName()))
                .setGroup(initial)
                .setProperties(RaftSettings.server(config.bind(), config.port(), config.storageDir()))
                .setStateMachineRegistry(stateMachines)
                .setOption(RaftStorage.StartupOption.RECOVER)
                .build();
        try {
            server.start();
        } catch (IOException | RuntimeException e) {
            try {
                server.close(); // its threads and the storage lock
            } catch (IOException closeFailure) {
                e.addSuppressed(closeFailure);
            }
            throw e;
        }
        log.info("cluster node {} listening on {}:{} ({}), Raft storage {}", config.nodeName(), config.bind(),
                config.port(), config.isSeed() ? "seed of " + config.seeds() : "not a seed: a member once added, or again if it was",
                config.storageDir().toAbsolutePath());
        MetadataLog metadataLog = new MetadataLog(() -> RaftClient.newBuilder()
                .setProperties(RaftSettings.client())
                .setRaftGroup(RaftGroup.valueOf(MetadataGroup.ID, division(server).getRaftConf().getCurrentPeers()))
                .setLeaderId(division(server).getInfo().getLeaderId())
                .setRetryPolicy(RaftSettings.clientRetries())
                .build());
        return new ClusterNode(config, server, metadata, metadataLog);
    }

    private static RaftServer.Division division(RaftServer server) {
        try {
            return server.getDivision(MetadataGroup.ID);
        } catch (IOException e) {
            throw new ClusterException("this node is not (yet) a member of the cluster", e);
        }
    }

    /**
     * Fails with the bind error if the cluster port is taken. Ratis' gRPC server reacts to a port it cannot bind by
     * calling System.exit; a broker reports the port and undoes its start instead (ListenerBindException).
     */
    private static void checkPortFree(String host, int port) throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(host == null || host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port));
        }
    }

    @Override
    public String nodeName() {
        return config.nodeName();
    }

    @Override
    public List<NodeStatus> nodes() {
        return membership.statuses();
    }

    @Override
    public void addNode(NodeAddress node) {
        membership.add(node);
    }

    @Override
    public void removeNode(String name) {
        membership.remove(name);
    }

    /** The metadata group's leader, or null during an election. */
    public String leader() {
        return membership.leader();
    }

    /** Where commands for the replicated metadata are appended. */
    public MetadataLog metadataLog() {
        return metadataLog;
    }

    /** The metadata group's state machine on this node (for reading what it applied). */
    public MetadataStateMachine metadata() {
        return metadata;
    }

    /** The Raft server, for groups that later parts (quorum queues) add to it. */
    public RaftServer raftServer() {
        return server;
    }

    /** Closes {@code resource} first when the node closes (what runs on top of the node). */
    public void closeWith(AutoCloseable resource) {
        closedFirst.add(resource);
    }

    @Override
    public void close() {
        for (AutoCloseable resource : closedFirst) {
            try {
                resource.close();
            } catch (Exception e) {
                log.warn("closing {} failed", resource, e);
            }
        }
        try {
            metadataLog.close();
        } catch (IOException e) {
            log.warn("closing the metadata client failed", e);
        }
        try {
            server.close();
        } catch (IOException e) {
            log.warn("closing the Raft server failed", e);
        }
        log.info("cluster node {} stopped", config.nodeName());
    }
}
