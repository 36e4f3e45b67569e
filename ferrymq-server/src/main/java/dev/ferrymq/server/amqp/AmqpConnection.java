package dev.ferrymq.server.amqp;

import dev.ferrymq.amqp.AmqpException;
import dev.ferrymq.amqp.Method;
import dev.ferrymq.amqp.ReplyCode;
import dev.ferrymq.amqp.frame.AmqpFrameDecoder;
import dev.ferrymq.amqp.frame.BadProtocolHeader;
import dev.ferrymq.amqp.frame.ContentBodyFrame;
import dev.ferrymq.amqp.frame.Frame;
import dev.ferrymq.amqp.frame.FrameError;
import dev.ferrymq.amqp.frame.Frames;
import dev.ferrymq.amqp.frame.HeartbeatFrame;
import dev.ferrymq.amqp.frame.MethodFrame;
import dev.ferrymq.amqp.frame.ProtocolHeader;
import dev.ferrymq.amqp.method.BasicPublish;
import dev.ferrymq.amqp.method.ChannelOpen;
import dev.ferrymq.amqp.method.ConnectionBlocked;
import dev.ferrymq.amqp.method.ConnectionUnblocked;
import dev.ferrymq.amqp.method.ConnectionClose;
import dev.ferrymq.amqp.method.ConnectionCloseOk;
import dev.ferrymq.amqp.method.ConnectionOpen;
import dev.ferrymq.amqp.method.ConnectionOpenOk;
import dev.ferrymq.amqp.method.ConnectionStart;
import dev.ferrymq.amqp.method.ConnectionStartOk;
import dev.ferrymq.amqp.method.ConnectionTune;
import dev.ferrymq.amqp.method.ConnectionTuneOk;
import dev.ferrymq.amqp.method.ConnectionUpdateSecret;
import dev.ferrymq.amqp.method.ConnectionUpdateSecretOk;
import dev.ferrymq.amqp.method.MethodHandler;
import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.Users;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.server.Credentials;
import dev.ferrymq.server.ExternalAuth;
import dev.ferrymq.server.FerryServer;
import dev.ferrymq.server.ServerConfig;
import dev.ferrymq.server.amqp.channel.AmqpChannel;
import dev.ferrymq.server.amqp.channel.ChannelHost;
import dev.ferrymq.server.amqp.channel.ChannelServices;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
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
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One client connection: the AMQP connection state machine (header, start, tune, open, close) and the table of
 * its channels. Everything here runs on the connection's event loop, so no field needs synchronization.
 */
public final class AmqpConnection extends ChannelInboundHandlerAdapter implements MethodHandler, ChannelHost {
    private static final Logger log = LoggerFactory.getLogger(AmqpConnection.class);
    private static final int CLOSE_OK_TIMEOUT_SECONDS = 3;
    /**
     * Longest pause of a publisher for a congested queue, when the connection also consumes: it may carry the
     * acknowledgements that queue is waiting for, so it must not stop reading for long.
     */
    private static final long MAX_FLOW_PAUSE_CONSUMING_MILLIS = 20;
    /** Longest pause of a publish-only connection: a safety net in case the queue never signals. */
    private static final long MAX_FLOW_PAUSE_MILLIS = 1000;

    private enum State {
        AWAITING_HEADER, AWAITING_START_OK, REFUSING_LOGIN, AWAITING_TUNE_OK, AWAITING_OPEN, OPEN, CLOSING, CLOSED
    }

    private final FerryServer server;
    private final IntObjectHashMap<AmqpChannel> channels = new IntObjectHashMap<>();
    private ChannelHandlerContext ctx;
    private State state = State.AWAITING_HEADER;
    private ScheduledFuture<?> handshakeTimeout;
    private ScheduledFuture<?> consumerTimeoutCheck;
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
    /** Counted against max-connections (false for a socket refused on accept). */
    private boolean socketCounted;
    /** Counted against the per-vhost and per-user connection limits since connection.open. */
    private boolean openCounted;
    /** The client announced the connection.blocked capability in its client-properties. */
    private boolean clientSupportsBlocked;
    /** Reading is stopped because this connection published during a resource alarm. */
    private boolean blockedByAlarm;
    /** connection.blocked was sent and needs its connection.unblocked. */
    private boolean blockedNotified;
    /** Inbound messages received while blocked, processed when unblocked (we own their references). */
    private final ArrayDeque<Object> heldBack = new ArrayDeque<>();
    /** What the channels share, from connection.open on. */
    private ChannelServices channelServices;

    public AmqpConnection(FerryServer server) {
        this.server = server;
    }

    // ---------------------------------------------------------------- Netty events

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.name = ctx.channel().remoteAddress() + " -> " + ctx.channel().localAddress();
        this.frameMax = server.config().frameMax();
        server.register(this);
        socketCounted = server.limits().tryAcceptSocket();
        if (!socketCounted) {
            log.warn("closing connection {}: max connections ({}) reached", name, server.config().maxConnections());
            state = State.CLOSED;
            ctx.close();
            return;
        }
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
        if (blockedByAlarm && state != State.CLOSED) {
            // Frames decoded from bytes read before the block took effect wait, in order, until it lifts (as
            // RabbitMQ's reader stops processing when blocked); at most one socket read batch.
            heldBack.add(detached(msg));
            return;
        }
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

    /**
     * A held-back body frame gets its own heap copy: as a slice it would pin the pooled read buffer it came from,
     * and that direct memory is what a memory alarm waits to see freed.
     */
    private static Object detached(Object msg) {
        if (!(msg instanceof ContentBodyFrame body)) {
            return msg;
        }
        try {
            return new ContentBodyFrame(body.channel(), Unpooled.copiedBuffer(body.payload()));
        } finally {
            body.release();
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
                    if (blockedByAlarm) {
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
        if (handshakeTimeout != null) {
            handshakeTimeout.cancel(false);
        }
        if (consumerTimeoutCheck != null) {
            consumerTimeoutCheck.cancel(false);
        }
        if (socketCounted) {
            socketCounted = false;
            server.limits().socketClosed();
        }
        if (openCounted) {
            openCounted = false;
            server.limits().closed(vhost.name(), user.name());
        }
        for (Object msg; (msg = heldBack.poll()) != null; ) {
            ReferenceCountUtil.release(msg);
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
    public void pauseReadingFor(Queue congested) {
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
        ctx.channel().config().setAutoRead(ctx.channel().isWritable() && !pausedForFlow && !blockedByAlarm);
    }

    // ---------------------------------------------------------------- resource alarms

    /**
     * A publish arrived: during a resource alarm, stop reading from this connection after it (RabbitMQ blocks a
     * connection when it publishes, so consume-only connections keep draining) and tell the client if it
     * understands connection.blocked.
     */
    private void blockIfAlarmed() {
        if (blockedByAlarm || !server.alarms().anyAlarm()) {
            return;
        }
        blockedByAlarm = true;
        updateAutoRead();
        if (clientSupportsBlocked) {
            blockedNotified = true;
            send(0, new ConnectionBlocked(server.alarms().reason()));
        }
        log.info("blocking publishing connection {}: {}", name, server.alarms().reason());
    }

    /** Called from any thread when the alarms clear: resume reading and send connection.unblocked. */
    public void alarmsCleared() {
        ctx.executor().execute(() -> {
            if (!blockedByAlarm || server.alarms().anyAlarm()) {
                return;
            }
            blockedByAlarm = false;
            if (blockedNotified && state != State.CLOSED) {
                blockedNotified = false;
                send(0, new ConnectionUnblocked());
            }
            log.info("unblocked connection {}", name);
            while (!blockedByAlarm && !heldBack.isEmpty()) {
                channelRead(ctx, heldBack.poll()); // may block again on a publish if a new alarm is set
            }
            channelReadComplete(ctx);
            updateAutoRead();
        });
    }

    public boolean blockedByAlarm() {
        return blockedByAlarm;
    }

    // ---------------------------------------------------------------- handshake

    private void onProtocolHeader() {
        if (state != State.AWAITING_HEADER) {
            throw AmqpException.connection(ReplyCode.FRAME_ERROR, "unexpected protocol header");
        }
        state = State.AWAITING_START_OK;
        String mechanisms = ExternalAuth.peerCertificateUser(ctx) != null ? "PLAIN AMQPLAIN EXTERNAL"
                : "PLAIN AMQPLAIN";
        send(0, new ConnectionStart(0, 9, ServerProperties.create(),
                mechanisms.getBytes(StandardCharsets.UTF_8), "en_US".getBytes(StandardCharsets.UTF_8)));
        flushIfPending();
    }

    private void onFrame(Frame frame) throws Exception {
        if (state == State.REFUSING_LOGIN) {
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
        onChannelFrame(frame);
    }

    /** A method on channel 0; whatever it raises names it (RabbitMQ's reader does the same). */
    private void onConnectionMethod(Method m) throws Exception {
        try {
            if (!(m instanceof ConnectionStartOk || m instanceof ConnectionTuneOk || m instanceof ConnectionOpen
                    || m instanceof ConnectionClose || m instanceof ConnectionCloseOk
                    || m instanceof ConnectionUpdateSecret)) {
                throw unexpectedMethod();
            }
            m.dispatch(this);
        } catch (AmqpException e) {
            throw e.orMethod(m.classId(), m.methodId());
        }
    }

    @Override
    public void onConnectionStartOk(ConnectionStartOk m) {
        expectState(State.AWAITING_START_OK);
        clientSupportsBlocked = ClientCapabilities.supports(m.clientProperties(), "connection.blocked");
        String username;
        Users.User candidate;
        if (m.mechanism().equals("EXTERNAL")) {
            // SASL EXTERNAL: the verified TLS client certificate names the user (its subject's CN)
            username = ExternalAuth.peerCertificateUser(ctx);
            candidate = username == null ? null : server.broker().users().user(username);
        } else {
            Credentials credentials = Credentials.parse(m.mechanism(), m.response());
            username = credentials.username();
            candidate = server.broker().users().authenticate(username, credentials.password());
        }
        InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
        boolean loopback = peer.getAddress().isLoopbackAddress();
        if (candidate == null || (candidate.loopbackOnly() && !loopback)) {
            refuseLogin(m.mechanism(), username, peer, candidate == null ? "invalid credentials"
                    : "user may connect only from loopback");
            return;
        }
        user = candidate;
        clientProperties = m.clientProperties();
        authMechanism = m.mechanism();
        state = State.AWAITING_TUNE_OK;
        ServerConfig config = server.config();
        send(0, new ConnectionTune(config.channelMax(), config.frameMax(), config.heartbeatSeconds()));
    }

    /**
     * Logs a failed login with the peer address and refuses it with 403 ACCESS_REFUSED; repeated failures from
     * one address get their refusal delayed (reading stops meanwhile), which slows down password guessing.
     */
    private void refuseLogin(String mechanism, String username, InetSocketAddress peer, String why) {
        long delayMillis = server.loginThrottle().failed(peer.getAddress(), System.currentTimeMillis());
        log.warn("login refused for user '{}' from {} using {} ({}){}", username, peer, mechanism, why,
                delayMillis > 0 ? "; " + server.loginThrottle().failureCount(peer.getAddress())
                        + " failures from this address, refusal delayed " + delayMillis + " ms" : "");
        String text = "Login was refused using authentication mechanism " + mechanism
                + ". For details see the broker logfile.";
        if (delayMillis == 0) {
            throw AmqpException.connection(ReplyCode.ACCESS_REFUSED, text).withMethod(0, 0); // as RabbitMQ's
        }
        state = State.REFUSING_LOGIN; // anything else the client sends meanwhile is ignored
        ctx.channel().config().setAutoRead(false);
        ctx.executor().schedule(() -> {
            state = State.AWAITING_START_OK;
            updateAutoRead(); // read again, to see the client's close-ok or its disconnect
            closeWithError(ReplyCode.ACCESS_REFUSED, text, 0, 0);
        }, delayMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onConnectionTuneOk(ConnectionTuneOk m) {
        expectState(State.AWAITING_TUNE_OK);
        ServerConfig config = server.config();
        // RabbitMQ's texts; its refusals name connection.tune, the method whose values were not respected
        if (m.frameMax() != 0 && m.frameMax() < 4096) {
            throw refusedTune("frame_max", m.frameMax(), "lower than the minimum", 4096);
        }
        if (config.frameMax() != 0 && m.frameMax() > config.frameMax()) {
            throw refusedTune("frame_max", m.frameMax(), "higher than the maximum", config.frameMax());
        }
        if (config.channelMax() != 0 && m.channelMax() > config.channelMax()) {
            throw refusedTune("channel_max", m.channelMax(), "higher than the maximum", config.channelMax());
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

    private static AmqpException refusedTune(String field, int value, String bound, int limit) {
        return AmqpException.connection(ReplyCode.NOT_ALLOWED, "negotiated " + field + " = " + value + " is "
                + bound + " allowed value (" + limit + ")")
                .withMethod(ConnectionTune.CLASS_ID, ConnectionTune.METHOD_ID);
    }

    @Override
    public void onConnectionOpen(ConnectionOpen m) {
        expectState(State.AWAITING_OPEN);
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
        String refusal = server.limits().tryOpen(requested.name(), user.name());
        if (refusal != null) {
            log.warn("connection {} refused: {}", name, refusal);
            throw AmqpException.connection(ReplyCode.NOT_ALLOWED, refusal);
        }
        openCounted = true;
        vhost = requested;
        ServerConfig config = server.config();
        channelServices = new ChannelServices(vhost, user.name(), server.broker().permissions(),
                server.broker().topicPermissions(), server.broker().counters(), vhost.persistence().syncer(),
                config.maxMessageSize(), config.maxQueuesPerVhost());
        state = State.OPEN;
        handshakeTimeout.cancel(false);
        scheduleConsumerTimeoutCheck();
        send(0, new ConnectionOpenOk());
        log.info("accepted connection {} (user '{}', vhost '{}')", name, user.name(), vhost.name());
    }

    /**
     * RabbitMQ's consumer_timeout: a delivery left unacknowledged for longer closes its channel with 406. Checked
     * a few times per timeout (at least every minute), which is as precise as RabbitMQ's own periodic check.
     */
    private void scheduleConsumerTimeoutCheck() {
        long timeoutMillis = server.config().consumerTimeoutMillis();
        if (timeoutMillis <= 0) {
            return;
        }
        long period = Math.max(10, Math.min(timeoutMillis / 4, 60_000));
        consumerTimeoutCheck = ctx.executor().scheduleAtFixedRate(() -> {
            long now = System.nanoTime();
            for (AmqpChannel channel : List.copyOf(channels.values())) {
                channel.checkConsumerTimeout(now, timeoutMillis);
            }
            flushIfPending();
        }, period, period, TimeUnit.MILLISECONDS);
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

    private void expectState(State expected) {
        if (state != expected) {
            throw unexpectedMethod();
        }
    }

    /** RabbitMQ's reply to a method the connection does not expect in its state (its reader's state names). */
    private AmqpException unexpectedMethod() {
        String rabbitState = switch (state) {
            case AWAITING_HEADER, AWAITING_START_OK, REFUSING_LOGIN -> "starting";
            case AWAITING_TUNE_OK -> "tuning";
            case AWAITING_OPEN -> "opening";
            case OPEN -> "running";
            case CLOSING, CLOSED -> "closing";
        };
        return AmqpException.connection(ReplyCode.CHANNEL_ERROR, "unexpected method in connection state "
                + rabbitState);
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
        expectState(State.OPEN);
        if (!"EXTERNAL".equals(authMechanism) && server.broker().users()
                .authenticate(user.name(), new String(m.newSecret(), StandardCharsets.UTF_8)) == null) {
            log.warn("connection {}: new secret for user '{}' refused, closing (reason given: {})", name,
                    user.name(), m.reason());
            throw AmqpException.connection(ReplyCode.NOT_ALLOWED, "New secret was refused by one of the backends")
                    .withMethod(m.classId(), m.methodId());
        }
        log.info("connection {}: user '{}' updated secret, reason: {}", name, user.name(), m.reason());
        send(0, new ConnectionUpdateSecretOk());
    }

    // ---------------------------------------------------------------- channels

    private void onChannelFrame(Frame frame) throws Exception {
        AmqpChannel channel = channels.get(frame.channel());
        if (frame instanceof MethodFrame mf && mf.method() instanceof BasicPublish) {
            blockIfAlarmed();
        }
        if (channel == null) {
            // no channel (never opened, or closed by the client): only channel.open may start one
            if (!(frame instanceof MethodFrame mf)) {
                throw AmqpException.connection(ReplyCode.UNEXPECTED_FRAME,
                        "expected method frame, got non method frame instead").withMethod(0, 0);
            }
            if (!(mf.method() instanceof ChannelOpen)) {
                throw AmqpException.connection(ReplyCode.CHANNEL_ERROR, "expected 'channel.open'")
                        .withMethod(mf.method().classId(), mf.method().methodId());
            }
            openChannel(frame.channel());
            return;
        }
        try {
            channel.onFrame(frame);
        } catch (AmqpException e) {
            // an error raised while handling a method names it, unless it says otherwise
            AmqpException named = e.orMethod(channel.currentClassId(), channel.currentMethodId());
            if (named.connectionLevel()) {
                throw named;
            }
            channel.closeWithError(named.replyCode(), named.replyText(), named.classId(), named.methodId());
        } catch (BrokerException e) {
            if (e.connectionLevel()) {
                closeWithError(e.replyCode(), e.getMessage(), channel.currentClassId(), channel.currentMethodId());
            } else {
                channel.closeWithError(e.replyCode(), e.getMessage(), channel.currentClassId(),
                        channel.currentMethodId());
            }
        }
    }

    /** RabbitMQ limits how many channels are open, not their numbers (any number up to 65535 may open). */
    private void openChannel(int number) {
        if (channels.size() >= channelMax) {
            throw AmqpException.connection(ReplyCode.NOT_ALLOWED, "number of channels opened (" + channels.size()
                    + ") has reached the negotiated channel_max (" + channelMax + ")").withMethod(0, 0);
        }
        AmqpChannel channel = new AmqpChannel(this, number, channelServices);
        channels.put(number, channel);
        channel.opened();
    }

    @Override
    public void channelClosed(int number) {
        channels.remove(number);
    }

    // ---------------------------------------------------------------- output

    public void send(int channel, Method method) {
        ByteBuf buf = ctx.alloc().buffer();
        Frames.writeMethod(buf, channel, method);
        write(buf);
    }

    /** Queues bytes for the socket; they go out at the end of the current read batch or delivery drain. */
    public void write(ByteBuf buf) {
        ctx.write(buf, ctx.voidPromise());
        flushPending = true;
    }

    public void flushIfPending() {
        if (flushPending) {
            flushPending = false;
            ctx.flush();
        }
    }

    /** Closes the connection with a hard error: connection.close, then the socket once the client answers. */
    public void closeWithError(int replyCode, String replyText, int classId, int methodId) {
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
    public void forceClose(String reason) {
        ctx.executor().execute(() -> {
            if (state == State.OPEN) {
                closeWithError(ReplyCode.CONNECTION_FORCED, "CONNECTION_FORCED - " + reason, 0, 0);
            } else {
                ctx.close();
            }
        });
    }

    /** A snapshot for the management API; must run on this connection's event loop. */
    public ConnectionInfo info() {
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
    public String rabbitName() {
        InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
        InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
        return peer.getAddress().getHostAddress() + ":" + peer.getPort() + " -> "
                + local.getAddress().getHostAddress() + ":" + local.getPort();
    }

    /** Bytes waiting in this socket's outbound buffer; safe to call from any thread (a racy snapshot). */
    public long outboundBufferedBytes() {
        ChannelHandlerContext c = ctx;
        if (c == null || c.channel().unsafe().outboundBuffer() == null) {
            return 0;
        }
        return c.channel().unsafe().outboundBuffer().totalPendingWriteBytes();
    }

    public ChannelHandlerContext context() {
        return ctx;
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
    public void closeConnection(int replyCode, String replyText, int classId, int methodId) {
        closeWithError(replyCode, replyText, classId, methodId);
    }

    @Override
    public Object owner() {
        return this;
    }

    public FerryServer server() {
        return server;
    }

    public VirtualHost vhost() {
        return vhost;
    }

    public Users.User user() {
        return user;
    }

    public int frameMax() {
        return frameMax;
    }

    public String name() {
        return name;
    }
}
