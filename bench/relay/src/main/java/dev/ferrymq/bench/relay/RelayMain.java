package dev.ferrymq.bench.relay;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;

/**
 * The ceiling for bench/compare.sh: a trivial AMQP 0-9-1 "broker" that completes the handshake, answers the
 * methods PerfTest sends with their -ok, and forwards every basic.publish (method, header and body frames) to a
 * consumer as basic.deliver, round-robin, with no queue, routing, accounting, flow control or persistence. Header
 * and body frames travel as slices of the buffer they arrived in. Nothing a real broker can do is faster on the
 * same machine with the same load generator, so a broker's throughput over the relay's says how far from the
 * limit it is. Publisher confirms are acknowledged as soon as a publish is forwarded.
 *
 * <pre>java [jvm.options] -jar bench/relay/target/relay.jar PORT [IO_THREADS]</pre>
 */
public final class RelayMain {
    private RelayMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 5686;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1; // as FerryMQ on two cores
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory());
        Consumers consumers = new Consumers();
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(EpollServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new FrameSplitter(), new RelayConnection(consumers));
                    }
                })
                .bind("127.0.0.1", port).sync().channel();
        System.out.println("relay listening on 127.0.0.1:" + port);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close().syncUninterruptibly();
            group.shutdownGracefully();
        }));
        server.closeFuture().sync();
    }
}
