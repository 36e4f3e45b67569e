package dev.ferrymq.server.amqp;

import dev.ferrymq.amqp.AmqpException;
import dev.ferrymq.amqp.Method;
import dev.ferrymq.amqp.ReplyCode;
import dev.ferrymq.amqp.frame.BadProtocolHeader;
import dev.ferrymq.amqp.frame.Frame;
import dev.ferrymq.amqp.frame.FrameError;
import dev.ferrymq.amqp.frame.Frames;
import dev.ferrymq.amqp.frame.HeartbeatFrame;
import dev.ferrymq.amqp.frame.MethodFrame;
import dev.ferrymq.amqp.frame.ProtocolHeader;
import dev.ferrymq.amqp.method.ConnectionClose;
import dev.ferrymq.amqp.method.ConnectionCloseOk;
import dev.ferrymq.amqp.method.ConnectionOpen;
import dev.ferrymq.amqp.method.ConnectionStartOk;
import dev.ferrymq.amqp.method.ConnectionTuneOk;
import dev.ferrymq.amqp.method.ConnectionUpdateSecret;
import dev.ferrymq.amqp.method.ConnectionUpdateSecretOk;
import dev.ferrymq.amqp.method.MethodHandler;
import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.broker.Users;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.broker.queue.ExclusiveOwner;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.server.config.ServerConfig;
import dev.ferrymq.server.amqp.channel.ChannelHost;
import dev.ferrymq.server.amqp.channel.ChannelServices;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One client connection once the socket is accepted: the handshake ({@link ConnectionHandshake}) until
 * connection.open-ok, then the open connection: frames routed to its channels ({@link ChannelTable}), blocking
 * during resource alarms ({@link AlarmBlock}), whether the socket is read ({@link ReadControl}), output
 * ({@link ConnectionOutput}) and the closing handshake. Every
 * method runs on the connection's event loop unless it says otherwise, so no field needs synchronization.
 */
final class AmqpConnection extends ChannelInboundHandlerAdapter implements MethodHandler, ChannelHost, ExclusiveOwner {
    private static final Logger log = LoggerFactory.getLogger(AmqpConnection.class);
    private static final int CLOSE_OK_TIMEOUT_SECONDS = 3;

    private enum State { HANDSHAKE, OPEN, CLOSING, CLOSED }

    private final AmqpServices services;
    private final long connectedAt = System.currentTimeMillis();
    private ChannelHandlerContext ctx;
    private volatile State state = State.HANDSHAKE;
    private String name;
    private ConnectionHandshake handshake;
    private ChannelTable channels;
    private AlarmBlock alarmBlock;
    private ReadControl reading;
    private ConnectionOutput output;
    /** Counted against max-connections (false for a socket refused on accept). */
    private boolean socketCounted;

    AmqpConnection(AmqpServices services) {
        this.services = services;
    }

    // ---------------------------------------------------------------- Netty events

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.name = ctx.channel().remoteAddress() + " -> " + ctx.channel().localAddress();
        this.handshake = new ConnectionHandshake(this, services, ctx);
        this.alarmBlock = new AlarmBlock(this, services.alarms());
        this.reading = new ReadControl(ctx, alarmBlock::blocked);
        this.output = new ConnectionOutput(ctx);
        services.connections().register(this);
        socketCounted = services.limits().tryAcceptSocket();
        if (!socketCounted) {
            log.warn("closing connection {}: max connections ({}) reached", name, services.config().maxConnections());
            state = State.CLOSED;
            ctx.close();
            return;
        }
        handshake.start();
        log.debug("accepting AMQP connection {}", name);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (alarmBlock.holdBack(msg, state != State.CLOSED)) {
            return;
        }
        try {
            if (state == State.CLOSED) {
                return;
            }
            if (msg instanceof Frame frame) {
                onFrame(frame);
            } else if (msg == ProtocolHeader.INSTANCE) {
                handshake.onProtocolHeader();
            } else if (msg instanceof BadProtocolHeader) {
                log.warn("closing connection {}: bad protocol header", name);
                state = State.CLOSED;
                ctx.writeAndFlush(Unpooled.wrappedBuffer(ProtocolHeader.BYTES))
                        .addListener(ChannelFutureListener.CLOSE);
            } else if (msg instanceof FrameError error) {
                closeWithError(error.replyCode(), error.replyText(), error.classId(), error.methodId());
                // The decoder discards everything after a framing error, so a close-ok could never be read:
                // close the socket once connection.close is out instead of waiting for the timeout.
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        } catch (AmqpException e) {
            closeWithError(e.replyCode(), e.replyText(), e.classId(), e.methodId());
        } catch (BrokerException e) {
            closeWithError(e.replyCode(), e.getMessage(), 0, 0);
        } catch (Exception e) {
            log.error("internal error on connection {}", name, e);
            closeWithError(ReplyCode.INTERNAL_ERROR, "INTERNAL_ERROR - " + e, 0, 0);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (channels != null) {
            channels.endOfReadBatch();
        }
        flushIfPending();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // Back-pressure: a client that does not read what we send is not read from either.
        updateAutoRead();
        if (ctx.channel().isWritable() && channels != null) {
            channels.resumeDeliveries();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent idle) {
            switch (idle.state()) {
                case WRITER_IDLE -> {
                    ByteBuf buf = ctx.alloc().buffer(8);
                    Frames.writeHeartbeat(buf);
                    ctx.writeAndFlush(buf);
                }
                case READER_IDLE -> {
                    if (alarmBlock.blocked()) {
                        return; // we stopped reading, so the client's heartbeats cannot reach us (as RabbitMQ)
                    }
                    log.warn("closing connection {}: missed heartbeats from client", name);
                    ctx.close();
                }
                default -> { }
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        state = State.CLOSED;
        handshake.release();
        if (socketCounted) {
            socketCounted = false;
            services.limits().socketClosed();
        }
        alarmBlock.release();
        if (channels != null) {
            channels.closeAll();
        }
        if (vhost() != null) {
            vhost().connectionClosed(this);
        }
        services.connections().unregister(this);
        if (user() != null) { // sockets that never logged in (probes, port scans) stay out of the info log
            log.info("closed connection {} (user '{}')", name, user().name());
        } else {
            log.debug("connection {} closed before login", name);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("connection {} failed: {}", name, cause.toString());
        ctx.close();
    }

    // ---------------------------------------------------------------- frames

    private void onFrame(Frame frame) throws Exception {
        if (handshake.step() == ConnectionHandshake.Step.REFUSING_LOGIN) {
            return; // during a delayed login refusal the client has nothing more to say
        }
        if (frame instanceof HeartbeatFrame) {
            // a heartbeat only resets the idle timer, which reading it did; on a channel it is out of place
            if (frame.channel() != 0 && state == State.OPEN) {
                throw AmqpException.connection(ReplyCode.UNEXPECTED_FRAME, "type 8, all octets = <<>>")
                        .withMethod(0, 0);
            }
            return;
        }
        if (state == State.CLOSING) {
            // After sending connection.close only close/close-ok matter (AMQP 0-9-1 section 2.2.4).
            if (frame instanceof MethodFrame mf && frame.channel() == 0
                    && (mf.method() instanceof ConnectionClose || mf.method() instanceof ConnectionCloseOk)) {
                mf.method().dispatch(this);
            }
            return;
        }
        if (frame.channel() == 0) {
            if (!(frame instanceof MethodFrame mf)) {
                throw AmqpException.connection(ReplyCode.UNEXPECTED_FRAME, "content frame on channel 0")
                        .withMethod(0, 0);
            }
            onConnectionMethod(mf.method());
            return;
        }
        if (state != State.OPEN) {
            throw AmqpException.connection(ReplyCode.COMMAND_INVALID, "channel frame before connection.open-ok");
        }
        alarmBlock.beforeChannelFrame(frame);
        channels.onFrame(frame);
    }

    /** A method on channel 0; whatever it raises names it (RabbitMQ's reader does the same). */
    private void onConnectionMethod(Method m) throws Exception {
        try {
            if (m instanceof ConnectionStartOk || m instanceof ConnectionTuneOk || m instanceof ConnectionOpen) {
                m.dispatch(handshake);
            } else if (m instanceof ConnectionClose || m instanceof ConnectionCloseOk
                    || m instanceof ConnectionUpdateSecret) {
                m.dispatch(this);
            } else {
                throw unexpectedMethod();
            }
        } catch (AmqpException e) {
            throw e.orMethod(m.classId(), m.methodId());
        }
    }

    /** RabbitMQ's reply to a method the connection does not expect in its state (its reader's state names). */
    AmqpException unexpectedMethod() {
        String rabbitState = state == State.CLOSING || state == State.CLOSED ? "closing"
                : handshake.step().rabbitState;
        return AmqpException.connection(ReplyCode.CHANNEL_ERROR, "unexpected method in connection state "
                + rabbitState);
    }

    /** The handshake completed: channels may open. */
    void opened() {
        state = State.OPEN;
        ServerConfig config = services.config();
        VirtualHost vhost = handshake.vhost();
        ChannelServices channelServices = new ChannelServices(vhost, handshake.user().name(),
                services.broker().permissions(), services.broker().topicPermissions(), services.broker().counters(),
                vhost.persistence().syncer(), config.maxMessageSize(), config.maxQueuesPerVhost());
        channels = new ChannelTable(this, channelServices, handshake.channelMax());
        channels.scheduleConsumerTimeoutCheck(config.consumerTimeoutMillis());
    }

    boolean handshaking() {
        return state == State.HANDSHAKE;
    }

    @Override
    public void onConnectionClose(ConnectionClose m) {
        // The client is closing: answer and let the client close the socket (we close it too, after a grace).
        state = State.CLOSED;
        send(0, new ConnectionCloseOk());
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        log.debug("client closed connection {}: {} {}", name, m.replyCode(), m.replyText());
    }

    @Override
    public void onConnectionCloseOk(ConnectionCloseOk m) {
        state = State.CLOSED;
        ctx.close();
    }

    /**
     * connection.update-secret (RabbitMQ 3.8+; clients refreshing OAuth 2 tokens send it). The new secret is
     * checked as a password of the connection's user: a wrong one closes the connection with 530, the text
     * RabbitMQ uses when a backend refuses the new secret. RabbitMQ itself skips the check for its internal users
     * (their credentials never expire), but a connection that presents a wrong secret should not stay logged in.
     * A connection authenticated by its TLS certificate (EXTERNAL) has no secret to check.
     */
    @Override
    public void onConnectionUpdateSecret(ConnectionUpdateSecret m) {
        if (state != State.OPEN) {
            throw unexpectedMethod();
        }
        Users.User user = user();
        if (!"EXTERNAL".equals(handshake.authMechanism()) && services.broker().users()
                .authenticate(user.name(), new String(m.newSecret(), StandardCharsets.UTF_8)) == null) {
            log.warn("connection {}: new secret for user '{}' refused, closing (reason given: {})", name,
                    user.name(), m.reason());
            throw AmqpException.connection(ReplyCode.NOT_ALLOWED, "New secret was refused by one of the backends")
                    .withMethod(m.classId(), m.methodId());
        }
        log.info("connection {}: user '{}' updated secret, reason: {}", name, user.name(), m.reason());
        send(0, new ConnectionUpdateSecretOk());
    }

    // ---------------------------------------------------------------- reading

    /** Publisher flow control: see {@link ReadControl#pauseFor}. */
    @Override
    public void pauseReadingFor(Queue congested) {
        reading.pauseFor(congested, channels.anyConsumers());
    }

    void updateAutoRead() {
        reading.update();
    }

    /** Called from any thread when the alarms clear. */
    void alarmsCleared() {
        ctx.executor().execute(() -> alarmBlock.alarmsCleared(state != State.CLOSED));
    }

    /** Processes a message held back during a block, as if just read. */
    void replay(Object msg) {
        channelRead(ctx, msg);
    }

    void endOfReplay() {
        channelReadComplete(ctx);
    }

    boolean blockedByAlarm() {
        return alarmBlock != null && alarmBlock.blocked();
    }

    boolean clientSupportsBlocked() {
        return handshake.clientSupportsBlocked();
    }

    // ---------------------------------------------------------------- output and closing

    @Override
    public void send(int channel, Method method) {
        output.send(channel, method);
    }

    @Override
    public void write(ByteBuf frames) {
        output.write(frames);
    }

    @Override
    public void flushIfPending() {
        output.flushIfPending();
    }

    /** Closes the connection with a hard error: connection.close, then the socket once the client answers. */
    void closeWithError(int replyCode, String replyText, int classId, int methodId) {
        if (state == State.CLOSING || state == State.CLOSED) {
            return;
        }
        log.warn("closing connection {}: {}", name, replyText);
        // Before connection.open a client only understands connection.close for refused logins and vhosts
        // (RabbitMQ's authentication_failure_close); anything else there just ends the socket, as RabbitMQ does.
        if (state == State.HANDSHAKE && replyCode != ReplyCode.ACCESS_REFUSED && replyCode != ReplyCode.NOT_ALLOWED) {
            state = State.CLOSED;
            ctx.close();
            return;
        }
        state = State.CLOSING;
        send(0, new ConnectionClose(replyCode, replyText, classId, methodId));
        flushIfPending();
        ctx.executor().schedule(() -> ctx.close(), CLOSE_OK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void closeConnection(int replyCode, String replyText, int classId, int methodId) {
        closeWithError(replyCode, replyText, classId, methodId);
    }

    /** Called from any thread: closes with 320 CONNECTION_FORCED (broker shutdown, management action). */
    void forceClose(String reason) {
        ctx.executor().execute(() -> {
            if (state == State.OPEN) {
                closeWithError(ReplyCode.CONNECTION_FORCED, "CONNECTION_FORCED - " + reason, 0, 0);
            } else {
                ctx.close();
            }
        });
    }

    // ---------------------------------------------------------------- what others see

    /** A snapshot for the management API; must run on this connection's event loop. */
    ConnectionInfo info() {
        InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
        InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
        ByteCounter bytes = ctx.pipeline().get(ByteCounter.class);
        Users.User u = user();
        VirtualHost v = vhost();
        return new ConnectionInfo(rabbitName(), peer.getAddress().getHostAddress(), peer.getPort(),
                local.getAddress().getHostAddress(), local.getPort(), connectedAt, u == null ? null : u.name(),
                v == null ? null : v.name(), handshake.authMechanism(), handshake.clientProperties(),
                handshake.frameMax(), handshake.channelMax(), handshake.heartbeat(),
                bytes == null ? 0 : bytes.received(), bytes == null ? 0 : bytes.sent(),
                channels == null ? List.of() : channels.info());
    }

    /** The name RabbitMQ gives a connection: "peer_host:peer_port -> host:port". */
    String rabbitName() {
        InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
        InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
        return peer.getAddress().getHostAddress() + ":" + peer.getPort() + " -> "
                + local.getAddress().getHostAddress() + ":" + local.getPort();
    }

    /** Bytes waiting in this socket's outbound buffer; safe to call from any thread (a racy snapshot). */
    long outboundBufferedBytes() {
        ChannelHandlerContext c = ctx;
        if (c == null || c.channel().unsafe().outboundBuffer() == null) {
            return 0;
        }
        return c.channel().unsafe().outboundBuffer().totalPendingWriteBytes();
    }

    boolean started() {
        return ctx != null;
    }

    /** The virtual host once open, else null; any thread. */
    VirtualHost vhost() {
        return handshake == null ? null : handshake.vhost();
    }

    Users.User user() {
        return handshake == null ? null : handshake.user();
    }

    @Override
    public int frameMax() {
        return handshake.frameMax();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    @Override
    public EventExecutor executor() {
        return ctx.executor();
    }

    @Override
    public boolean isWritable() {
        return ctx.channel().isWritable();
    }

    @Override
    public void channelClosed(int number) {
        channels.remove(number);
    }

    @Override
    public ExclusiveOwner owner() {
        return this;
    }
}
