package dev.ferrymq.server.line;

import dev.ferrymq.amqp.BasicProperties;
import dev.ferrymq.broker.Broker;
import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.broker.publish.PublishResult;
import dev.ferrymq.server.alarm.Alarms;
import dev.ferrymq.server.config.ServerConfig;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The plain TCP line listener (the simplest client there is): each newline-terminated line a client sends becomes
 * one persistent message published to the configured exchange and routing key in vhost "/". With the default
 * exchange, a durable queue named after the routing key is declared at start. In ack mode every line is answered
 * with {@code OK <n>} once the message is durable (n counts the connection's lines) or {@code ERR <reason>}; a
 * line longer than the max message size gets ERR and the connection stays usable. Publishing goes through the vhost's
 * {@code Publisher} like any other client's; {@link LineFlowControl} blocks the connection during resource alarms
 * and pauses it while a queue is congested. Handlers run on the
 * connection's event loop; ack answers come back to it from the store's sync thread in publish order.
 */
public final class LineListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LineListener.class);

    private final Channel listener;

    /** @param alarms the resource alarms: a line client is not read while one is raised */
    public LineListener(ServerConfig config, Broker broker, Alarms alarms, EventLoopGroup boss,
                        EventLoopGroup workers, Class<? extends ServerChannel> channelType)
            throws InterruptedException {
        VirtualHost vhost = broker.virtualHost(Broker.DEFAULT_VHOST);
        if (config.lineExchange().isEmpty()) {
            vhost.declareQueue(config.lineRoutingKey(), false, true, false, false, Map.of(), null);
        }
        Set<LineFlowControl> flows = ConcurrentHashMap.newKeySet();
        alarms.addListener((anyAlarm, reason) -> {
            if (!anyAlarm) {
                flows.forEach(LineFlowControl::alarmsCleared);
            }
        });
        int maxLine = (int) Math.min(Integer.MAX_VALUE - 1, config.maxMessageSize());
        this.listener = new ServerBootstrap().group(boss, workers).channel(channelType)
                // `printf ... | nc host port` half-closes after the last line: its OKs must still be sent
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        LineFlowControl flow = new LineFlowControl(alarms, flows);
                        ch.pipeline().addLast(new LineBasedFrameDecoder(maxLine, true, false), flow,
                                new LineHandler(config, vhost, flow));
                    }
                }).bind(config.bind(), config.linePort()).sync().channel();
        log.info("Line listener on {}:{}: each line goes to exchange '{}' with routing key '{}'{}", config.bind(),
                port(), config.lineExchange(), config.lineRoutingKey(), config.lineAck() ? " (acknowledged)" : "");
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
    }

    /** One line client. Runs on its event loop. */
    private static final class LineHandler extends SimpleChannelInboundHandler<ByteBuf> {
        private static final byte[] PROPERTIES = new BasicProperties(null, null, null, 2, null, null, null, null,
                null, null, null, null, null, null).toBytes();

        private final ServerConfig config;
        private final VirtualHost vhost;
        private final LineFlowControl flow;
        private long lines;
        /** Acknowledgements still waiting for an fsync. */
        private int awaitingSync;
        /** The client closed its side: close ours once every acknowledgement is written. */
        private boolean inputClosed;

        LineHandler(ServerConfig config, VirtualHost vhost, LineFlowControl flow) {
            this.config = config;
            this.vhost = vhost;
            this.flow = flow;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf line) {
            long n = ++lines;
            byte[] body = ByteBufUtil.getBytes(line);
            if (body.length > 0 && body[body.length - 1] == '\r') {
                body = java.util.Arrays.copyOf(body, body.length - 1);
            }
            PublishResult result;
            try {
                result = vhost.publisher().publish(config.lineExchange(), config.lineRoutingKey(), PROPERTIES, body);
            } catch (BrokerException e) {
                reply(ctx, config, "ERR " + e.getMessage());
                return;
            }
            if (result.congested() != null) {
                flow.pauseFor(result.congested());
            }
            if (!config.lineAck()) {
                return;
            }
            if (result.queues() == 0) {
                reply(ctx, config, "ERR NO_ROUTE - line " + n + " reached no queue");
            } else if (result.stored()) {
                awaitingSync++;
                vhost.persistence().syncer().whenDurable(() -> ctx.executor().execute(() -> synced(ctx, config,
                        "OK " + n)), failure -> ctx.executor().execute(() -> synced(ctx, config,
                        "ERR store failed: " + failure.getMessage())));
            } else {
                reply(ctx, config, "OK " + n);
            }
        }

        private void synced(ChannelHandlerContext ctx, ServerConfig config, String text) {
            awaitingSync--;
            reply(ctx, config, text);
            closeIfDone(ctx);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof ChannelInputShutdownEvent) {
                inputClosed = true;
                closeIfDone(ctx);
            }
            ctx.fireUserEventTriggered(event);
        }

        private void closeIfDone(ChannelHandlerContext ctx) {
            if (inputClosed && awaitingSync == 0) {
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }

        private static void reply(ChannelHandlerContext ctx, ServerConfig config, String text) {
            if (config.lineAck()) {
                ctx.writeAndFlush(Unpooled.copiedBuffer(text + "\n", StandardCharsets.UTF_8));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof TooLongFrameException) {
                lines++;
                // the decoder has discarded the long line; the connection carries on
                ctx.writeAndFlush(Unpooled.copiedBuffer("ERR line longer than max message size "
                        + config.maxMessageSize() + "\n", StandardCharsets.UTF_8));
                return;
            }
            log.debug("line connection failed: {}", cause.toString());
            ctx.close();
        }
    }
}
