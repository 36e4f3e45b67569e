package dev.ferrymq.server;

import dev.ferrymq.amqp.frame.AmqpFrameDecoder;
import dev.ferrymq.broker.Broker;
import dev.ferrymq.broker.persistence.Persistence;
import dev.ferrymq.server.amqp.AmqpConnection;
import dev.ferrymq.server.amqp.AmqpPropertiesCodec;
import dev.ferrymq.server.amqp.ByteCounter;
import dev.ferrymq.server.amqp.ConnectionInfo;
import dev.ferrymq.server.amqp.ConnectionLimits;
import dev.ferrymq.server.management.ManagementServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import dev.ferrymq.server.alarm.Alarms;
import dev.ferrymq.server.alarm.DiskProbe;
import dev.ferrymq.server.alarm.MemoryProbe;
import dev.ferrymq.server.tls.TlsContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A running FerryMQ server: the broker domain plus its AMQP listener. Start with {@link #start(ServerConfig)},
 * stop with {@link #close()}, which tells every client connection.close 320 CONNECTION_FORCED first.
 */
public final class FerryServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FerryServer.class);

    private final ServerConfig config;
    private final Broker broker;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final Set<AmqpConnection> connections = ConcurrentHashMap.newKeySet();
    private final LongAdder bytesReceived = new LongAdder();
    private final LongAdder bytesSent = new LongAdder();
    private final ConnectionLimits limits;
    private final LoginThrottle loginThrottle = new LoginThrottle();
    private final Alarms alarms;
    private final Channel listener;
    private final Channel tlsListener; // null without TLS
    private final ManagementServer management; // null when disabled
    private final LineListener lineListener; // null when disabled
    private volatile boolean closed;

    private FerryServer(ServerConfig config) throws IOException, InterruptedException {
        this.config = config;
        Files.createDirectories(config.dataDir());
        this.broker = Broker.open(config.dataDir(), config.storeConfig(), Persistence.defaultPagingBudget(),
                new AmqpPropertiesCodec());
        broker.onVirtualHostDeleted(this::closeConnectionsTo);
        this.limits = new ConnectionLimits(config);
        this.alarms = new Alarms(MemoryProbe::usedBytes, MemoryProbe::collectGarbage, MemoryProbe.maxHeapBytes(),
                config.memoryHighWatermark(),
                new DiskProbe(config.dataDir()), config.diskFreeLimit());
        alarms.addListener((anyAlarm, reason) -> {
            if (!anyAlarm) {
                connections.forEach(AmqpConnection::alarmsCleared);
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
        try {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(bossGroup, workerGroup)
                    .channel(channelType)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(512 * 1024,
                            2 * 1024 * 1024))
                    .childHandler(amqpPipeline(null));
            this.listener = bootstrap.bind(config.bind(), config.amqpPort()).sync().channel();
            this.tlsListener = tls == null || config.amqpsPort() < 0 ? null
                    : bootstrap.clone().childHandler(amqpPipeline(tls))
                            .bind(config.bind(), config.amqpsPort()).sync().channel();
            alarms.start(bossGroup, config.alarmCheckIntervalMillis());
            startedManagement = config.managementPort() == ServerConfig.DISABLED ? null
                    : ManagementServer.start(this, config.bind(), config.managementPort(),
                            config.managementTls() ? tls : null);
            this.management = startedManagement;
            this.lineListener = config.linePort() == ServerConfig.DISABLED ? null
                    : new LineListener(this, bossGroup, workerGroup, channelType);
        } catch (Exception e) {
            if (startedManagement != null) {
                startedManagement.close();
            }
            // shutting the event loops down closes any listener already bound
            bossGroup.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            workerGroup.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            broker.close();
            throw e;
        }
        log.info("FerryMQ listening for AMQP 0-9-1 on {}:{} ({} transport), data dir {}", config.bind(),
                amqpPort(), epoll ? "epoll" : "nio", config.dataDir().toAbsolutePath());
        if (tlsListener != null) {
            log.info("FerryMQ listening for AMQPS (TLS 1.2/1.3) on {}:{}", config.bind(), amqpsPort());
        }
    }

    /** The pipeline of one client socket: TLS if configured, frame decoder, connection state machine. */
    private ChannelInitializer<SocketChannel> amqpPipeline(SslContext tls) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast("bytes", new ByteCounter(bytesReceived, bytesSent));
                if (tls != null) {
                    ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
                }
                ch.pipeline().addLast("frames", new AmqpFrameDecoder(config.frameMax()));
                ch.pipeline().addLast("amqp", new AmqpConnection(FerryServer.this));
            }
        };
    }

    public static FerryServer start(ServerConfig config) throws IOException, InterruptedException {
        return new FerryServer(config);
    }

    public int amqpPort() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** The management HTTP port, or -1 when the management listener is disabled. */
    public int managementPort() {
        return management == null ? ServerConfig.DISABLED : management.port();
    }

    /** The line listener's port, or -1 when it is disabled. */
    public int linePort() {
        return lineListener == null ? ServerConfig.DISABLED : lineListener.port();
    }

    /** The AMQPS port, or -1 when TLS is not configured. */
    public int amqpsPort() {
        return tlsListener == null ? -1 : ((InetSocketAddress) tlsListener.localAddress()).getPort();
    }

    /** The memory and disk alarms (state for the management API and metrics; runtime limit changes). */
    public Alarms alarms() {
        return alarms;
    }

    public ConnectionLimits limits() {
        return limits;
    }

    public LoginThrottle loginThrottle() {
        return loginThrottle;
    }

    /** Connections currently blocked by a resource alarm. */
    public int blockedConnectionCount() {
        int blocked = 0;
        for (AmqpConnection connection : connections) {
            blocked += connection.blockedByAlarm() ? 1 : 0;
        }
        return blocked;
    }

    public ServerConfig config() {
        return config;
    }

    public Broker broker() {
        return broker;
    }

    /**
     * Snapshots of the open connections, each taken on its own event loop (a connection that does not answer
     * within a second is left out).
     */
    public List<ConnectionInfo> connections() {
        List<ConnectionInfo> infos = new ArrayList<>();
        for (AmqpConnection connection : List.copyOf(connections)) {
            try {
                infos.add(connection.context().executor().submit(connection::info).get(1, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception e) {
                log.debug("no snapshot of connection: {}", e.toString());
            }
        }
        infos.sort((a, b) -> a.name().compareTo(b.name()));
        return infos;
    }

    /** Closes the named connection with 320 CONNECTION_FORCED; false if there is none of that name. */
    public boolean closeConnection(String name, String reason) {
        for (AmqpConnection connection : List.copyOf(connections)) {
            if (connection.context() != null && connection.rabbitName().equals(name)) {
                connection.forceClose(reason);
                return true;
            }
        }
        return false;
    }

    /** Bytes received from and sent to AMQP clients since start. */
    public long bytesReceived() {
        return bytesReceived.sum();
    }

    public long bytesSent() {
        return bytesSent.sum();
    }

    /** Number of open client sockets, including those still in the AMQP handshake. */
    public int connectionCount() {
        return connections.size();
    }

    /** Bytes queued in Netty for all client sockets but not yet written (bounded by per-socket back-pressure). */
    public long outboundBufferedBytes() {
        long total = 0;
        for (AmqpConnection connection : connections) {
            total += connection.outboundBufferedBytes();
        }
        return total;
    }

    public void register(AmqpConnection connection) {
        connections.add(connection);
    }

    public void unregister(AmqpConnection connection) {
        connections.remove(connection);
    }

    /** A deleted vhost takes its connections with it (320 CONNECTION_FORCED, as RabbitMQ does). */
    private void closeConnectionsTo(String vhost) {
        for (AmqpConnection connection : List.copyOf(connections)) {
            if (connection.vhost() != null && connection.vhost().name().equals(vhost)) {
                connection.forceClose("vhost '" + vhost + "' is deleted");
            }
        }
    }

    /** Closes every client connection with 320 CONNECTION_FORCED, then stops listening and the event loops. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        log.info("Shutting down: closing {} connection(s)", connections.size());
        listener.close().syncUninterruptibly();
        if (management != null) {
            management.close();
        }
        if (lineListener != null) {
            lineListener.close();
        }
        if (tlsListener != null) {
            tlsListener.close().syncUninterruptibly();
        }
        alarms.close();
        for (AmqpConnection connection : List.copyOf(connections)) {
            connection.forceClose("broker forced connection closure with reason 'shutdown'");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (!connections.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        try {
            broker.close();
        } catch (IOException e) {
            log.error("closing the message store failed", e);
        }
        log.info("FerryMQ stopped");
    }
}
