package dev.ferrymq.server;

import dev.ferrymq.broker.Broker;
import dev.ferrymq.broker.adapter.AdapterConnection;
import dev.ferrymq.broker.cluster.Cluster;
import dev.ferrymq.broker.cluster.ClusterConfig;
import dev.ferrymq.broker.cluster.ClusterProvider;
import dev.ferrymq.broker.persistence.Persistence;
import dev.ferrymq.server.adapter.ProtocolAdapters;
import dev.ferrymq.server.amqp.AmqpConnections;
import dev.ferrymq.server.amqp.AmqpListener;
import dev.ferrymq.server.amqp.channel.AmqpPropertiesCodec;
import dev.ferrymq.server.amqp.AmqpServices;
import dev.ferrymq.server.amqp.ConnectionInfo;
import dev.ferrymq.server.amqp.ConnectionLimits;
import dev.ferrymq.server.auth.LoginThrottle;
import dev.ferrymq.server.config.ServerConfig;
import dev.ferrymq.server.line.LineListener;
import dev.ferrymq.server.management.BrokerAdmin;
import dev.ferrymq.server.management.DefinitionsImport;
import dev.ferrymq.server.management.ManagementServer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import dev.ferrymq.server.alarm.Alarms;
import dev.ferrymq.server.alarm.DiskProbe;
import dev.ferrymq.server.alarm.MemoryProbe;
import dev.ferrymq.server.ListenerBindException.Listener;
import dev.ferrymq.server.tls.TlsContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static dev.ferrymq.server.ListenerBindException.binding;

/**
 * A running FerryMQ server: the broker domain plus its AMQP listener. Start with {@link #start(ServerConfig)},
 * stop with {@link #close()}, which tells every client connection.close 320 CONNECTION_FORCED first.
 */
public final class FerryServer implements BrokerAdmin, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FerryServer.class);

    private final ServerConfig config;
    private final Broker broker;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final AmqpConnections connections = new AmqpConnections();
    private final Alarms alarms;
    private final AmqpListener amqp;
    private final ManagementServer management; // null when disabled
    private final LineListener lineListener; // null when disabled
    private volatile ProtocolAdapters adapters; // MQTT when its port is set
    private final Cluster cluster; // null for a single node (no cluster-seeds)
    private volatile boolean closed;

    private FerryServer(ServerConfig config) throws IOException, InterruptedException {
        this.config = config;
        Files.createDirectories(config.dataDir());
        this.broker = Broker.open(config.dataDir(), config.storeConfig(), Persistence.defaultPagingBudget(),
                new AmqpPropertiesCodec());
        broker.onVirtualHostDeleted(vhost -> {
            connections.closeAllTo(vhost);
            if (adapters != null) { // null only while starting
                adapters.closeAllTo(vhost);
            }
        });
        this.alarms = new Alarms(MemoryProbe::usedBytes, MemoryProbe::collectGarbage, MemoryProbe.maxHeapBytes(),
                config.memoryHighWatermark(),
                new DiskProbe(config.dataDir()), config.diskFreeLimit());
        alarms.addListener((anyAlarm, reason) -> {
            if (!anyAlarm) {
                connections.alarmsCleared();
            }
        });
        SslContext tls = config.tls() == null ? null : TlsContextFactory.serverContext(config.tls());
        if (config.managementTls() && tls == null) {
            throw new IllegalArgumentException("management-tls needs a certificate (tls-cert)");
        }
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class
                : NioServerSocketChannel.class;
        this.bossGroup = new MultiThreadIoEventLoopGroup(1, io);
        this.workerGroup = new MultiThreadIoEventLoopGroup(config.ioThreads(), io);
        ManagementServer startedManagement = null;
        Cluster startedCluster = null;
        try {
            startedCluster = startCluster(config, broker);
            this.cluster = startedCluster;
            if (config.loadDefinitions() != null) {
                DefinitionsImport.load(broker, config.loadDefinitions());
            }
            ConnectionLimits limits = new ConnectionLimits(config);
            this.amqp = new AmqpListener(new AmqpServices(config, broker, limits,
                    new LoginThrottle(), alarms, connections), bossGroup, workerGroup, channelType);
            String bind = config.bind();
            binding(Listener.AMQP, bind, config.amqpPort(), () -> amqp.bind(bind, config.amqpPort()));
            if (tls != null && config.amqpsPort() >= 0) {
                binding(Listener.AMQPS, bind, config.amqpsPort(), () -> amqp.bindTls(bind, config.amqpsPort(), tls));
            }
            alarms.start(bossGroup, config.alarmCheckIntervalMillis());
            SslContext managementTls = config.managementTls() ? tls : null;
            startedManagement = config.managementPort() == ServerConfig.DISABLED ? null
                    : binding(managementTls == null ? Listener.MANAGEMENT_HTTP : Listener.MANAGEMENT_HTTPS, bind,
                            config.managementPort(),
                            () -> ManagementServer.start(this, bind, config.managementPort(), managementTls));
            this.management = startedManagement;
            this.lineListener = config.linePort() == ServerConfig.DISABLED ? null
                    : binding(Listener.LINE, bind, config.linePort(),
                            () -> new LineListener(config, broker, alarms, bossGroup, workerGroup, channelType));
            this.adapters = new ProtocolAdapters(config, broker, limits, alarms, bossGroup, workerGroup, tls);
        } catch (Exception e) {
            releaseAfterFailedStart(startedManagement, startedCluster, e);
            throw e;
        }
        log.info("FerryMQ listening for AMQP 0-9-1 on {}:{} ({} transport), data dir {}", config.bind(),
                amqpPort(), epoll ? "epoll" : "nio", config.dataDir().toAbsolutePath());
        if (amqp.tlsPort() >= 0) {
            log.info("FerryMQ listening for AMQPS (TLS 1.2/1.3) on {}:{}", config.bind(), amqpsPort());
        }
    }

    /**
     * Undoes a start that failed part-way, so that nothing lingers: the listeners already bound (shutting the
     * event loops down closes them), their threads, the alarm checks and the store with its directory lock.
     */
    private void releaseAfterFailedStart(ManagementServer startedManagement, Cluster startedCluster,
                                         Exception failure) {
        if (startedManagement != null) {
            startedManagement.close();
        }
        if (startedCluster != null) {
            startedCluster.close();
        }
        alarms.close();
        workerGroup.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
        bossGroup.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
        try {
            broker.close();
        } catch (IOException closeFailure) {
            failure.addSuppressed(closeFailure);
        }
    }

    /**
     * Joins the cluster when {@code cluster-seeds} is set, through whichever {@link ClusterProvider} is on the class
     * path (ferrymq-cluster's): without seeds nothing of it is loaded, no thread started, no port opened.
     */
    private static Cluster startCluster(ServerConfig config, Broker broker) throws IOException, InterruptedException {
        ClusterConfig clusterConfig = config.clusterConfig();
        if (clusterConfig == null) {
            return null;
        }
        return binding(Listener.CLUSTER, clusterConfig.bind(), clusterConfig.port(),
                () -> ClusterProvider.load().start(clusterConfig, broker));
    }

    public static FerryServer start(ServerConfig config) throws IOException, InterruptedException {
        return new FerryServer(config);
    }

    public int amqpPort() {
        return amqp.port();
    }

    /** The management HTTP port, or -1 when the management listener is disabled. */
    public int managementPort() {
        return management == null ? ServerConfig.DISABLED : management.port();
    }

    /** The line listener's port, or -1 when it is disabled. */
    public int linePort() {
        return lineListener == null ? ServerConfig.DISABLED : lineListener.port();
    }

    /** The MQTT port, or -1 when MQTT is off. */
    public int mqttPort() {
        return adapters.mqttPort();
    }

    /** The MQTT-over-TLS port, or -1 when it is off. */
    public int mqttsPort() {
        return adapters.mqttsPort();
    }

    /** Snapshots of the MQTT (protocol adapter) connections. */
    @Override
    public List<AdapterConnection> adapterConnections() {
        return adapters.connections();
    }

    /** The AMQPS port, or -1 when TLS is not configured. */
    public int amqpsPort() {
        return amqp.tlsPort();
    }

    /** The memory and disk alarms (state for the management API and metrics; runtime limit changes). */
    public Alarms alarms() {
        return alarms;
    }

    /** Connections currently blocked by a resource alarm. */
    public int blockedConnectionCount() {
        return connections.blockedCount();
    }

    public ServerConfig config() {
        return config;
    }

    public Broker broker() {
        return broker;
    }

    @Override
    public String nodeName() {
        return config.nodeName();
    }

    @Override
    public Optional<Cluster> cluster() {
        return Optional.ofNullable(cluster);
    }

    @Override
    public String bindAddress() {
        return config.bind();
    }

    @Override
    public Path dataDir() {
        return config.dataDir();
    }

    /**
     * Snapshots of the open connections, each taken on its own event loop (a connection that does not answer
     * within a second is left out).
     */
    public List<ConnectionInfo> connections() {
        return connections.snapshots();
    }

    /** Closes the named connection with 320 CONNECTION_FORCED; false if there is none of that name. */
    public boolean closeConnection(String name, String reason) {
        return connections.close(name, reason) || adapters.closeConnection(name, reason);
    }

    /** Bytes received from and sent to AMQP clients since start. */
    public long bytesReceived() {
        return amqp.bytesReceived();
    }

    public long bytesSent() {
        return amqp.bytesSent();
    }

    /** Number of open client sockets, including those still in the AMQP handshake. */
    public int connectionCount() {
        return connections.count();
    }

    /** Bytes queued in Netty for all client sockets but not yet written (bounded by per-socket back-pressure). */
    public long outboundBufferedBytes() {
        return connections.outboundBufferedBytes();
    }

    /** Closes every client connection with 320 CONNECTION_FORCED, then stops listening and the event loops. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        log.info("Shutting down: closing {} connection(s)", connections.count());
        amqp.close();
        if (management != null) {
            management.close();
        }
        if (lineListener != null) {
            lineListener.close();
        }
        adapters.close();
        alarms.close();
        connections.closeAll("broker forced connection closure with reason 'shutdown'", 3000);
        workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        if (cluster != null) { // after the clients, before the store: what it replicates may live in both
            cluster.close();
        }
        try {
            broker.close();
        } catch (IOException e) {
            log.error("closing the message store failed", e);
        }
        log.info("FerryMQ stopped");
    }
}
