package dev.ferrymq.server.management;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.SslContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The management HTTP listener: RabbitMQ-compatible JSON API under /api/, the web UI at /, Prometheus metrics at
 * /metrics. Runs on its own single-thread event loop, apart from the AMQP ones, and samples message rates every
 * second on it.
 */
public final class ManagementServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ManagementServer.class);
    private static final int MAX_REQUEST_BYTES = 64 * 1024 * 1024;

    private final EventLoopGroup group;
    private final Channel listener;

    private final boolean https;

    private ManagementServer(BrokerAdmin server, String bind, int port, SslContext tls) throws InterruptedException {
        this.https = tls != null;
        this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            MessageRates rates = new MessageRates(server.broker());
            ApiContext ctx = new ApiContext(server, rates);
            HttpHandler handler = new HttpHandler(ctx, routes(ctx), new PrometheusMetrics(ctx));
            this.listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (tls != null) {
                                ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                            }
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_REQUEST_BYTES),
                                    handler);
                        }
                    }).bind(bind, port).sync().channel();
            group.scheduleAtFixedRate(rates::sample, 0, 1, TimeUnit.SECONDS);
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
        log.info("Management API, web UI and /metrics on {}://{}:{}/", https ? "https" : "http", bind, port());
    }

    private Routes routes(ApiContext ctx) {
        Routes routes = new Routes();
        new OverviewApi(ctx, this::port).register(routes);
        new NodesApi(ctx).register(routes);
        new QueueApi(ctx).register(routes);
        new ExchangeApi(ctx).register(routes);
        new BindingApi(ctx).register(routes);
        new AccessApi(ctx).register(routes);
        new TopicPermissionApi(ctx).register(routes);
        new ConnectionApi(ctx).register(routes);
        new DefinitionsApi(ctx).register(routes);
        new PolicyApi(ctx).register(routes);
        return routes;
    }

    /** Starts the management listener; with {@code tls} (may be null) it serves HTTPS instead of HTTP. */
    public static ManagementServer start(BrokerAdmin server, String bind, int port, SslContext tls)
            throws InterruptedException {
        return new ManagementServer(server, bind, port, tls);
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
