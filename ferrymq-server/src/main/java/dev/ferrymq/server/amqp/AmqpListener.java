package dev.ferrymq.server.amqp;

import dev.ferrymq.amqp.frame.AmqpFrameDecoder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.LongAdder;

/**
 * The AMQP 0-9-1 listeners: plain AMQP and, with a certificate, AMQPS. Each accepted socket gets the pipeline
 * byte counter → TLS (AMQPS only) → {@link AmqpFrameDecoder} → {@link AmqpConnection}. Sockets stop being
 * written to above a 2 MiB outbound buffer (Netty's write-buffer high-water mark), which the connection turns
 * into back-pressure. Buffers come from Netty's pooled allocator rather than 4.2's default adaptive one, which on
 * a 1 KB publish/consume run kept allocating and zeroing fresh direct chunks: its allocation frames cost 3.5 times
 * the pooled allocator's CPU per message (async-profiler, bench/README.md). Bound by {@link #bind} and
 * {@link #bindTls}; closed by {@link #close}.
 */
public final class AmqpListener implements AutoCloseable {
    private final AmqpServices services;
    private final LongAdder bytesReceived = new LongAdder();
    private final LongAdder bytesSent = new LongAdder();
    private final ServerBootstrap bootstrap;
    private Channel plain;
    private Channel tls; // null without TLS

    public AmqpListener(AmqpServices services, EventLoopGroup boss, EventLoopGroup workers,
                        Class<? extends ServerChannel> channelType) {
        this.services = services;
        this.bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(512 * 1024,
                        2 * 1024 * 1024));
    }

    /** Binds the AMQP port; returns the bound channel. */
    public Channel bind(String host, int port) throws InterruptedException {
        plain = bootstrap.clone().childHandler(pipeline(null)).bind(host, port).sync().channel();
        return plain;
    }

    /** Binds the AMQPS port; returns the bound channel. */
    public Channel bindTls(String host, int port, SslContext tlsContext) throws InterruptedException {
        tls = bootstrap.clone().childHandler(pipeline(tlsContext)).bind(host, port).sync().channel();
        return tls;
    }

    private ChannelInitializer<SocketChannel> pipeline(SslContext tlsContext) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast("bytes", new ByteCounter(bytesReceived, bytesSent));
                if (tlsContext != null) {
                    ch.pipeline().addLast("tls", tlsContext.newHandler(ch.alloc()));
                }
                ch.pipeline().addLast("frames", new AmqpFrameDecoder(services.config().frameMax()));
                ch.pipeline().addLast("amqp", new AmqpConnection(services));
            }
        };
    }

    public int port() {
        return ((InetSocketAddress) plain.localAddress()).getPort();
    }

    /** The AMQPS port, or -1 when TLS is not configured. */
    public int tlsPort() {
        return tls == null ? -1 : ((InetSocketAddress) tls.localAddress()).getPort();
    }

    /** Bytes received from AMQP clients since start. */
    public long bytesReceived() {
        return bytesReceived.sum();
    }

    public long bytesSent() {
        return bytesSent.sum();
    }

    /** Stops accepting; open connections are closed separately ({@link AmqpConnections#closeAll}). */
    @Override
    public void close() {
        if (plain != null) {
            plain.close().syncUninterruptibly();
        }
        if (tls != null) {
            tls.close().syncUninterruptibly();
        }
    }
}
