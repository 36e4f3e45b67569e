package dev.ferrymq.server;

import dev.ferrymq.amqp.AmqpException;
import dev.ferrymq.amqp.Method;
import dev.ferrymq.amqp.ReplyCode;
import dev.ferrymq.amqp.frame.AmqpFrameDecoder;
import dev.ferrymq.amqp.frame.BadProtocolHeader;
import dev.ferrymq.amqp.frame.Frame;
import dev.ferrymq.amqp.frame.FrameError;
import dev.ferrymq.amqp.frame.Frames;
import dev.ferrymq.amqp.frame.HeartbeatFrame;
import dev.ferrymq.amqp.frame.MethodFrame;
import dev.ferrymq.amqp.frame.ProtocolHeader;
import dev.ferrymq.amqp.method.ChannelOpen;
import dev.ferrymq.amqp.method.ConnectionClose;
import dev.ferrymq.amqp.method.ConnectionCloseOk;
import dev.ferrymq.amqp.method.ConnectionOpen;
import dev.ferrymq.amqp.method.ConnectionOpenOk;
import dev.ferrymq.amqp.method.ConnectionStart;
import dev.ferrymq.amqp.method.ConnectionStartOk;
import dev.ferrymq.amqp.method.ConnectionTune;
import dev.ferrymq.amqp.method.ConnectionTuneOk;
import dev.ferrymq.amqp.method.MethodHandler;
import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.broker.Queue;
import dev.ferrymq.broker.Users;
import dev.ferrymq.broker.VirtualHost;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One client connection: the AMQP connection state machine (header, start, tune, open, close) and the table of
 * its channels. Everything here runs on the connection's event loop, so no field needs synchronization.
 */
final class AmqpConnection extends ChannelInboundHandlerAdapter implements MethodHandler {
    private static final Logger log = LoggerFactory.getLogger(AmqpConnection.class);
    private static final int CLOSE_OK_TIMEOUT_SECONDS = 3;
    /**
     * Longest pause of a publisher for a congested queue, when the connection also consumes: it may carry the
     * acknowledgements that queue is waiting for, so it must not stop reading for long.
     */
    private static final long MAX_FLOW_PAUSE_CONSUMING_MILLIS = 20;
    /** Longest pause of a publish-only connection: a safety net in case the queue never signals. */
    private static final long MAX_FLOW_PAUSE_MILLIS = 1000;

    private enum State { AWAITING_HEADER, AWAITING_START_OK, AWAITING_TUNE_OK, AWAITING_OPEN, OPEN, CLOSING, CLOSED }

    private final FerryServer server;
    private final IntObjectHashMap<AmqpChannel> channels = new IntObjectHashMap<>();
    private ChannelHandlerContext ctx;
    private State state = State.AWAITING_HEADER;
    private ScheduledFuture<?> handshakeTimeout;
    private String name;
    private volatile Users.User user;
    private volatile VirtualHost vhost;
    private int frameMax;
    private int channelMax;
    private boolean flushPending;
    private boolean pausedForFlow;
    private final long connectedAt = System.currentTimeMillis();
    private Map<String, Object> clientProperties = Map.of();
    private String authMechanism = "";
    private int heartbeat;

    AmqpConnection(FerryServer server) {
        this.server = server;
    }

    // ---------------------------------------------------------------- Netty events

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.name = ctx.channel().remoteAddress() + " -> " + ctx.channel().localAddress();
        this.frameMax = server.config().frameMax();
        server.register(this);
        handshakeTimeout = ctx.executor().schedule(() -> {
            if (state.ordinal() < State.OPEN.ordinal()) {
                log.warn("closing connection {}: handshake not completed within {} s", name,
                        server.config().handshakeTimeoutSeconds());
                ctx.close();
            }
        }, server.config().handshakeTimeoutSeconds(), TimeUnit.SECONDS);
        log.debug("accepting AMQP connection {}", name);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (state == State.CLOSED) {
                return;
            }
            if (msg instanceof Frame frame) {
                onFrame(frame);
            } else if (msg == ProtocolHeader.INSTANCE) {
                onProtocolHeader();
            } else if (msg instanceof BadProtocolHeader) {
                log.warn("closing connection {}: bad protocol header", name);
                state = State.CLOSED;
                ctx.writeAndFlush(Unpooled.wrappedBuffer(ProtocolHeader.BYTES))
                        .addListener(ChannelFutureListener.CLOSE);
            } else if (msg instanceof FrameError error) {
                log.warn("closing connection {}: {}", name, error.replyText());
                closeWithError(error.replyCode(), error.replyText(), error.classId(), error.methodId());
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
        for (AmqpChannel channel : channels.values()) {
            channel.endOfReadBatch();
        }
        flushIfPending();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // Back-pressure: a client that does not read what we send is not read from either.
        boolean writable = ctx.channel().isWritable();
        updateAutoRead();
        if (writable) {
            for (AmqpChannel channel : List.copyOf(channels.values())) {
                channel.resumeDeliveries();
            }
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
        if (handshakeTimeout != null) {
            handshakeTimeout.cancel(false);
        }
        for (AmqpChannel channel : List.copyOf(channels.values())) {
            channel.release();
        }
        channels.clear();
        if (vhost != null) {
            vhost.connectionClosed(this);
        }
        server.unregister(this);
        if (user != null) { // sockets that never logged in (probes, port scans) stay out of the info log
            log.info("closed connection {} (user '{}')", name, user.name());
        } else {
            log.debug("connection {} closed before login", name);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("connection {} failed: {}", name, cause.toString());
        ctx.close();
    }

    /**
     * Flow control: a queue this connection published to has consumers falling behind, so stop reading from the
     * socket (TCP back-pressure) until the queue has caught up, or for a bounded time.
     */
    void pauseReadingFor(Queue congested) {
        if (pausedForFlow) {
            return;
        }
        pausedForFlow = true;
        updateAutoRead();
        congested.whenUncongested(() -> ctx.executor().execute(this::resumeReading));
        boolean consuming = false;
        for (AmqpChannel channel : channels.values()) {
            consuming |= channel.hasConsumers();
        }
        ctx.executor().schedule(this::resumeReading,
                consuming ? MAX_FLOW_PAUSE_CONSUMING_MILLIS : MAX_FLOW_PAUSE_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void resumeReading() {
        if (pausedForFlow) {
            pausedForFlow = false;
            updateAutoRead();
        }
    }

    private void updateAutoRead() {
        ctx.channel().config().setAutoRead(ctx.channel().isWritable() && !pausedForFlow);
    }

    // ---------------------------------------------------------------- handshake

    private void onProtocolHeader() {
        if (state != State.AWAITING_HEADER) {
            throw AmqpException.connection(ReplyCode.FRAME_ERROR, "unexpected protocol header");
        }
        state = State.AWAITING_START_OK;
        send(0, new ConnectionStart(0, 9, ServerProperties.create(),
                "PLAIN AMQPLAIN".getBytes(StandardCharsets.UTF_8), "en_US".getBytes(StandardCharsets.UTF_8)));
        flushIfPending();
    }

    private void onFrame(Frame frame) throws Exception {
        if (frame instanceof HeartbeatFrame) {
            return; // reading it already reset the idle timer
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
                throw AmqpException.connection(ReplyCode.UNEXPECTED_FRAME, "content frame on channel 0");
            }
            if (mf.method().classId() != ConnectionStart.CLASS_ID) {
                throw AmqpException.connection(ReplyCode.COMMAND_INVALID, "method " + mf.method().name()
                        + " is not allowed on channel 0").withMethod(mf.method().classId(), mf.method().methodId());
            }
            mf.method().dispatch(this);
            return;
        }
        if (state != State.OPEN) {
            throw AmqpException.connection(ReplyCode.COMMAND_INVALID, "channel frame before connection.open-ok");
        }
        onChannelFrame(frame);
    }

    @Override
    public void onConnectionStartOk(ConnectionStartOk m) {
        expectState(State.AWAITING_START_OK, m);
        Credentials credentials = Credentials.parse(m.mechanism(), m.response());
        Users.User candidate = server.broker().users().authenticate(credentials.username(), credentials.password());
        boolean loopback = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress().isLoopbackAddress();
        if (candidate == null || (candidate.loopbackOnly() && !loopback)) {
            log.warn("login refused for user '{}' from {} ({})", credentials.username(),
                    ctx.channel().remoteAddress(), candidate == null ? "invalid credentials"
                            : "user may connect only from loopback");
            throw AmqpException.connection(ReplyCode.ACCESS_REFUSED, "Login was refused using authentication"
                    + " mechanism " + m.mechanism() + ". For details see the broker logfile.");
        }
        user = candidate;
        clientProperties = m.clientProperties();
        authMechanism = m.mechanism();
        state = State.AWAITING_TUNE_OK;
        ServerConfig config = server.config();
        send(0, new ConnectionTune(config.channelMax(), config.frameMax(), config.heartbeatSeconds()));
    }

    @Override
    public void onConnectionTuneOk(ConnectionTuneOk m) {
        expectState(State.AWAITING_TUNE_OK, m);
        ServerConfig config = server.config();
        if (m.frameMax() != 0 && m.frameMax() < 4096) {
            throw AmqpException.connection(ReplyCode.NOT_ALLOWED, "frame_max=" + m.frameMax()
                    + " < 4096 min size");
        }
        if (config.frameMax() != 0 && m.frameMax() > config.frameMax()) {
            throw AmqpException.connection(ReplyCode.NOT_ALLOWED, "frame_max=" + m.frameMax()
                    + " > " + config.frameMax() + " max size");
        }
        // 0 means "no limit" from the client; ours still applies (RabbitMQ accepts 0 the same way).
        frameMax = m.frameMax() == 0 ? config.frameMax() : m.frameMax();
        channelMax = m.channelMax() == 0 ? config.channelMax() : Math.min(m.channelMax(), config.channelMax());
        ctx.pipeline().get(AmqpFrameDecoder.class).setMaxFrameSize(frameMax);
        heartbeat = m.heartbeat();
        if (m.heartbeat() > 0) {
            // Send a heartbeat when we have been quiet for one interval; give up after two silent ones.
            ctx.pipeline().addBefore("frames", "heartbeat",
                    new IdleStateHandler(m.heartbeat() * 2L, m.heartbeat(), 0, TimeUnit.SECONDS));
        }
        state = State.AWAITING_OPEN;
    }

    @Override
    public void onConnectionOpen(ConnectionOpen m) {
        expectState(State.AWAITING_OPEN, m);
        VirtualHost requested = server.broker().virtualHost(m.virtualHost());
        if (requested == null) {
            log.warn("connection {} refused: vhost '{}' not found", name, m.virtualHost());
            throw AmqpException.connection(ReplyCode.NOT_ALLOWED, "vhost " + m.virtualHost() + " not found");
        }
        if (server.broker().permissions().get(user.name(), requested.name()) == null) {
            log.warn("connection {} refused: user '{}' has no permissions on vhost '{}'", name, user.name(),
                    m.virtualHost());
            throw AmqpException.connection(ReplyCode.NOT_ALLOWED, "access to vhost '" + m.virtualHost()
                    + "' refused for user '" + user.name() + "'");
        }
        vhost = requested;
        state = State.OPEN;
        handshakeTimeout.cancel(false);
        send(0, new ConnectionOpenOk());
        log.info("accepted connection {} (user '{}', vhost '{}')", name, user.name(), vhost.name());
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

    private void expectState(State expected, Method m) {
        if (state != expected) {
            throw AmqpException.connection(ReplyCode.COMMAND_INVALID, "unexpected " + m.name() + " in state "
                    + state.name().toLowerCase()).withMethod(m.classId(), m.methodId());
        }
    }

    // ---------------------------------------------------------------- channels

    private void onChannelFrame(Frame frame) throws Exception {
        AmqpChannel channel = channels.get(frame.channel());
        if (channel == null) {
            if (frame instanceof MethodFrame mf && mf.method() instanceof ChannelOpen) {
                openChannel(frame.channel());
                return;
            }
            throw AmqpException.connection(ReplyCode.CHANNEL_ERROR, "expected 'channel.open'");
        }
        try {
            channel.onFrame(frame);
        } catch (AmqpException e) {
            if (e.connectionLevel()) {
                throw e;
            }
            channel.closeWithError(e.replyCode(), e.replyText(), e.classId(), e.methodId());
        } catch (BrokerException e) {
            if (e.connectionLevel()) {
                throw e;
            }
            channel.closeWithError(e.replyCode(), e.getMessage(), channel.currentClassId(),
                    channel.currentMethodId());
        }
    }

    private void openChannel(int number) {
        if (number > channelMax) {
            throw AmqpException.connection(ReplyCode.NOT_ALLOWED, "channel number " + number
                    + " exceeds negotiated channel max " + channelMax);
        }
        AmqpChannel channel = new AmqpChannel(this, number);
        channels.put(number, channel);
        channel.opened();
    }

    void channelClosed(AmqpChannel channel) {
        channels.remove(channel.number());
    }

    // ---------------------------------------------------------------- output

    void send(int channel, Method method) {
        ByteBuf buf = ctx.alloc().buffer();
        Frames.writeMethod(buf, channel, method);
        write(buf);
    }

    /** Queues bytes for the socket; they go out at the end of the current read batch or delivery drain. */
    void write(ByteBuf buf) {
        ctx.write(buf, ctx.voidPromise());
        flushPending = true;
    }

    void flushIfPending() {
        if (flushPending) {
            flushPending = false;
            ctx.flush();
        }
    }

    /** Closes the connection with a hard error: connection.close, then the socket once the client answers. */
    void closeWithError(int replyCode, String replyText, int classId, int methodId) {
        if (state == State.CLOSING || state == State.CLOSED) {
            return;
        }
        log.warn("closing connection {}: {}", name, replyText);
        // Before connection.open a client only understands connection.close for refused logins and vhosts
        // (RabbitMQ's authentication_failure_close); anything else there just ends the socket, as RabbitMQ does.
        boolean handshaking = state.ordinal() < State.OPEN.ordinal();
        if (handshaking && replyCode != ReplyCode.ACCESS_REFUSED && replyCode != ReplyCode.NOT_ALLOWED) {
            state = State.CLOSED;
            ctx.close();
            return;
        }
        state = State.CLOSING;
        send(0, new ConnectionClose(replyCode, replyText, classId, methodId));
        flushIfPending();
        ctx.executor().schedule(() -> ctx.close(), CLOSE_OK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
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

    /** A snapshot for the management API; must run on this connection's event loop. */
    ConnectionInfo info() {
        InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
        InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
        List<ConnectionInfo.ChannelInfo> channelInfos = new ArrayList<>();
        for (AmqpChannel channel : channels.values()) {
            channelInfos.add(channel.info());
        }
        channelInfos.sort((a, b) -> Integer.compare(a.number(), b.number()));
        ByteCounter bytes = ctx.pipeline().get(ByteCounter.class);
        Users.User u = user;
        VirtualHost v = vhost;
        return new ConnectionInfo(rabbitName(), peer.getAddress().getHostAddress(), peer.getPort(),
                local.getAddress().getHostAddress(), local.getPort(), connectedAt, u == null ? null : u.name(),
                v == null ? null : v.name(), authMechanism, clientProperties, frameMax, channelMax, heartbeat,
                bytes == null ? 0 : bytes.received(), bytes == null ? 0 : bytes.sent(), channelInfos);
    }

    /** The name RabbitMQ gives a connection: "peer_host:peer_port -> host:port". */
    String rabbitName() {
        InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
        InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
        return peer.getAddress().getHostAddress() + ":" + peer.getPort() + " -> "
                + local.getAddress().getHostAddress() + ":" + local.getPort();
    }

    ChannelHandlerContext context() {
        return ctx;
    }

    FerryServer server() {
        return server;
    }

    VirtualHost vhost() {
        return vhost;
    }

    Users.User user() {
        return user;
    }

    int frameMax() {
        return frameMax;
    }

    String name() {
        return name;
    }
}
