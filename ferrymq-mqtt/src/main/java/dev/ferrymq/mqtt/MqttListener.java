package dev.ferrymq.mqtt;

import dev.ferrymq.broker.adapter.AdapterConnection;
import dev.ferrymq.broker.adapter.AdapterContext;
import dev.ferrymq.broker.adapter.ProtocolListener;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The MQTT listener: binds {@code mqtt-port} (and {@code mqtts-port}, with the server's TLS context) on the server's
 * event loops and gives each socket the pipeline TLS (mqtts only) → handshake timeout (replaced by the keep-alive check after CONNECT) → Netty's {@link MqttDecoder} (at most
 * {@code mqtt-max-packet-size} per packet; it also checks the protocol level, client id and topic names) and
 * {@link MqttEncoder} → {@link MqttConnection}. As for AMQP, a socket stops being written to above a 2 MiB outbound
 * buffer. Thread-safe.
 */
final class MqttListener implements ProtocolListener {
    private static final Logger log = LoggerFactory.getLogger(MqttListener.class);
    /** Longest client id accepted (MQTT 3.1.1 requires 23; RabbitMQ, like most brokers, takes more). */
    private static final int MAX_CLIENT_ID_LENGTH = 1024;

    private final MqttServices services;
    private final Channel plain; // null when only the TLS port is set
    private final Channel tls; // null without mqtts-port

    MqttListener(AdapterContext context, MqttSettings settings) throws Exception {
        RetainedStore retained = RetainedStore.open(settings.dataDir().resolve("mqtt").resolve("retained"));
        this.services = new MqttServices(settings, context.broker(), context.connections(), context.alarms(),
                new ClientRegistry(), retained);
        context.alarms().whenCleared(() -> services.clients().open().forEach(MqttConnection::alarmsCleared));
        ServerBootstrap bootstrap = bootstrap(context);
        Channel boundPlain = null;
        try {
            boundPlain = settings.port() < 0 ? null
                    : bootstrap.clone().childHandler(pipeline(settings, null)).bind(settings.bind(), settings.port())
                    .sync().channel();
            this.plain = boundPlain;
            this.tls = settings.tlsPort() < 0 ? null
                    : bootstrap.clone().childHandler(pipeline(settings, (SslContext) context.tlsContext()))
                    .bind(settings.bind(), settings.tlsPort()).sync().channel();
        } catch (Exception e) {
            if (boundPlain != null) {
                boundPlain.close().syncUninterruptibly();
            }
            retained.close();
            throw e;
        }
        log.info("FerryMQ listening for MQTT 3.1.1 and 5 on {}:{}{} (vhost '{}', exchange '{}')", settings.bind(),
                port(), tls == null ? "" : ", over TLS on port " + tlsPort(), settings.vhost(),
                settings.exchange());
    }

    private static ServerBootstrap bootstrap(AdapterContext context) {
        Class<? extends ServerChannel> channelType = Epoll.isAvailable() ? EpollServerSocketChannel.class
                : NioServerSocketChannel.class;
        return new ServerBootstrap()
                .group((EventLoopGroup) context.acceptorLoops(), (EventLoopGroup) context.ioLoops())
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(512 * 1024,
                        2 * 1024 * 1024));
    }

    private ChannelInitializer<SocketChannel> pipeline(MqttSettings settings, SslContext tlsContext) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                if (tlsContext != null) {
                    ch.pipeline().addLast("tls", tlsContext.newHandler(ch.alloc()));
                }
                ch.pipeline().addLast("handshake-timeout", new IdleStateHandler(settings.handshakeSeconds(), 0, 0,
                        TimeUnit.SECONDS));
                ch.pipeline().addLast("decoder", new MqttDecoder(settings.maxPacketSize(), MAX_CLIENT_ID_LENGTH));
                ch.pipeline().addLast("encoder", MqttEncoder.INSTANCE);
                ch.pipeline().addLast("mqtt", new MqttConnection(services));
            }
        };
    }

    @Override
    public int port() {
        return plain == null ? -1 : ((InetSocketAddress) plain.localAddress()).getPort();
    }

    @Override
    public int tlsPort() {
        return tls == null ? -1 : ((InetSocketAddress) tls.localAddress()).getPort();
    }

    @Override
    public List<AdapterConnection> connections() {
        return services.clients().open().stream().map(MqttConnection::snapshot).filter(Objects::nonNull).toList();
    }

    @Override
    public boolean closeConnection(String name, String reason) {
        for (MqttConnection connection : services.clients().open()) {
            AdapterConnection snapshot = connection.snapshot();
            if (snapshot != null && snapshot.name().equals(name)) {
                connection.close(reason);
                return true;
            }
        }
        return false;
    }

    /** Stops accepting, closes every connection (publishing their wills) and waits a little for them. */
    @Override
    public void close() {
        if (plain != null) {
            plain.close().syncUninterruptibly();
        }
        if (tls != null) {
            tls.close().syncUninterruptibly();
        }
        List<CompletableFuture<Void>> closing = services.clients().open().stream().map(connection -> {
            connection.close("broker shutdown");
            return connection.closedFuture();
        }).toList();
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(3, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("MQTT connections still open at shutdown: {}", e.toString());
        }
        services.retained().close();
    }
}
