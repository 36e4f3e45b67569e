package dev.ferrymq.server.amqp;

import dev.ferrymq.amqp.AmqpException;
import dev.ferrymq.amqp.ReplyCode;
import dev.ferrymq.amqp.frame.AmqpFrameDecoder;
import dev.ferrymq.amqp.method.ConnectionOpen;
import dev.ferrymq.amqp.method.ConnectionOpenOk;
import dev.ferrymq.amqp.method.ConnectionStart;
import dev.ferrymq.amqp.method.ConnectionStartOk;
import dev.ferrymq.amqp.method.ConnectionTune;
import dev.ferrymq.amqp.method.ConnectionTuneOk;
import dev.ferrymq.amqp.method.MethodHandler;
import dev.ferrymq.broker.Users;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.server.auth.Credentials;
import dev.ferrymq.server.auth.ExternalAuth;
import dev.ferrymq.server.config.ServerConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The AMQP handshake of one connection, as LavinMQ's {@code connection_factory.cr} is separate from its client:
 * protocol header → connection.start / start-ok (authentication: PLAIN, AMQPLAIN, or EXTERNAL with a verified
 * TLS client certificate) → tune / tune-ok (frame_max, channel_max, heartbeat) → open / open-ok (vhost,
 * permissions, connection limits). A handshake not completed within {@code handshake-timeout} ends the socket.
 * Repeated failed logins from one address get their refusal delayed ({@link dev.ferrymq.server.LoginThrottle}).
 *
 * <p>Afterwards it keeps what was negotiated. Confined to the connection's event loop.
 */
final class ConnectionHandshake implements MethodHandler {
    private static final Logger log = LoggerFactory.getLogger(ConnectionHandshake.class);

    /** Where the handshake is; RabbitMQ's reader names these states in its "unexpected method" errors. */
    enum Step {
        AWAITING_HEADER("starting"), AWAITING_START_OK("starting"), REFUSING_LOGIN("starting"),
        AWAITING_TUNE_OK("tuning"), AWAITING_OPEN("opening"), DONE("running");

        final String rabbitState;

        Step(String rabbitState) {
            this.rabbitState = rabbitState;
        }
    }

    private final AmqpConnection connection;
    private final AmqpServices services;
    private final ChannelHandlerContext ctx;
    private Step step = Step.AWAITING_HEADER;
    private ScheduledFuture<?> timeout;
    private volatile Users.User user;
    private volatile VirtualHost vhost;
    private Map<String, Object> clientProperties = Map.of();
    private String authMechanism = "";
    private boolean clientSupportsBlocked;
    private int frameMax;
    private int channelMax;
    private int heartbeat;
    /** Counted against the per-vhost and per-user connection limits since connection.open. */
    private boolean openCounted;

    ConnectionHandshake(AmqpConnection connection, AmqpServices services, ChannelHandlerContext ctx) {
        this.connection = connection;
        this.services = services;
        this.ctx = ctx;
        this.frameMax = services.config().frameMax();
    }

    /** Starts the handshake timer. */
    void start() {
        int seconds = services.config().handshakeTimeoutSeconds();
        timeout = ctx.executor().schedule(() -> {
            if (step != Step.DONE && connection.handshaking()) {
                log.warn("closing connection {}: handshake not completed within {} s", connection.name(), seconds);
                ctx.close();
            }
        }, seconds, TimeUnit.SECONDS);
    }

    Step step() {
        return step;
    }

    void onProtocolHeader() {
        if (step != Step.AWAITING_HEADER) {
            throw AmqpException.connection(ReplyCode.FRAME_ERROR, "unexpected protocol header");
        }
        step = Step.AWAITING_START_OK;
        String mechanisms = ExternalAuth.peerCertificateUser(ctx) != null ? "PLAIN AMQPLAIN EXTERNAL"
                : "PLAIN AMQPLAIN";
        connection.send(0, new ConnectionStart(0, 9, ServerProperties.create(),
                mechanisms.getBytes(StandardCharsets.UTF_8), "en_US".getBytes(StandardCharsets.UTF_8)));
        connection.flushIfPending();
    }

    @Override
    public void onConnectionStartOk(ConnectionStartOk m) {
        expect(Step.AWAITING_START_OK);
        clientSupportsBlocked = ClientCapabilities.supports(m.clientProperties(), "connection.blocked");
        String username;
        Users.User candidate;
        if (m.mechanism().equals("EXTERNAL")) {
            // SASL EXTERNAL: the verified TLS client certificate names the user (its subject's CN)
            username = ExternalAuth.peerCertificateUser(ctx);
            candidate = username == null ? null : services.broker().users().user(username);
        } else {
            Credentials credentials = Credentials.parse(m.mechanism(), m.response());
            username = credentials.username();
            candidate = services.broker().users().authenticate(username, credentials.password());
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
        step = Step.AWAITING_TUNE_OK;
        ServerConfig config = services.config();
        connection.send(0, new ConnectionTune(config.channelMax(), config.frameMax(), config.heartbeatSeconds()));
    }

    /**
     * Logs a failed login with the peer address and refuses it with 403 ACCESS_REFUSED; repeated failures from
     * one address get their refusal delayed (reading stops meanwhile), which slows down password guessing.
     */
    private void refuseLogin(String mechanism, String username, InetSocketAddress peer, String why) {
        long delayMillis = services.loginThrottle().failed(peer.getAddress(), System.currentTimeMillis());
        log.warn("login refused for user '{}' from {} using {} ({}){}", username, peer, mechanism, why,
                delayMillis > 0 ? "; " + services.loginThrottle().failureCount(peer.getAddress())
                        + " failures from this address, refusal delayed " + delayMillis + " ms" : "");
        String text = "Login was refused using authentication mechanism " + mechanism
                + ". For details see the broker logfile.";
        if (delayMillis == 0) {
            throw AmqpException.connection(ReplyCode.ACCESS_REFUSED, text).withMethod(0, 0); // as RabbitMQ's
        }
        step = Step.REFUSING_LOGIN; // anything else the client sends meanwhile is ignored
        ctx.channel().config().setAutoRead(false);
        ctx.executor().schedule(() -> {
            step = Step.AWAITING_START_OK;
            connection.updateAutoRead(); // read again, to see the client's close-ok or its disconnect
            connection.closeWithError(ReplyCode.ACCESS_REFUSED, text, 0, 0);
        }, delayMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onConnectionTuneOk(ConnectionTuneOk m) {
        expect(Step.AWAITING_TUNE_OK);
        ServerConfig config = services.config();
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
            ctx.pipeline().addBefore("frames", "heartbeat", new Heartbeats(m.heartbeat()));
        }
        step = Step.AWAITING_OPEN;
    }

    private static AmqpException refusedTune(String field, int value, String bound, int limit) {
        return AmqpException.connection(ReplyCode.NOT_ALLOWED, "negotiated " + field + " = " + value + " is "
                + bound + " allowed value (" + limit + ")")
                .withMethod(ConnectionTune.CLASS_ID, ConnectionTune.METHOD_ID);
    }

    @Override
    public void onConnectionOpen(ConnectionOpen m) {
        expect(Step.AWAITING_OPEN);
        VirtualHost requested = services.broker().virtualHost(m.virtualHost());
        String name = connection.name();
        if (requested == null) {
            log.warn("connection {} refused: vhost '{}' not found", name, m.virtualHost());
            throw AmqpException.connection(ReplyCode.NOT_ALLOWED, "vhost " + m.virtualHost() + " not found");
        }
        if (services.broker().permissions().get(user.name(), requested.name()) == null) {
            log.warn("connection {} refused: user '{}' has no permissions on vhost '{}'", name, user.name(),
                    m.virtualHost());
            throw AmqpException.connection(ReplyCode.NOT_ALLOWED, "access to vhost '" + m.virtualHost()
                    + "' refused for user '" + user.name() + "'");
        }
        String refusal = services.limits().tryOpen(requested.name(), user.name());
        if (refusal != null) {
            log.warn("connection {} refused: {}", name, refusal);
            throw AmqpException.connection(ReplyCode.NOT_ALLOWED, refusal);
        }
        openCounted = true;
        vhost = requested;
        step = Step.DONE;
        timeout.cancel(false);
        connection.opened();
        connection.send(0, new ConnectionOpenOk());
        log.info("accepted connection {} (user '{}', vhost '{}')", name, user.name(), vhost.name());
    }

    private void expect(Step expected) {
        if (step != expected) {
            throw connection.unexpectedMethod();
        }
    }

    /** The socket closed: stop the timer and give back the connection-limit counts. */
    void release() {
        if (timeout != null) {
            timeout.cancel(false);
        }
        if (openCounted) {
            openCounted = false;
            services.limits().closed(vhost.name(), user.name());
        }
    }

    /** The user, once authenticated (any thread). */
    Users.User user() {
        return user;
    }

    /** The virtual host, once open (any thread). */
    VirtualHost vhost() {
        return vhost;
    }

    Map<String, Object> clientProperties() {
        return clientProperties;
    }

    String authMechanism() {
        return authMechanism;
    }

    boolean clientSupportsBlocked() {
        return clientSupportsBlocked;
    }

    int frameMax() {
        return frameMax;
    }

    int channelMax() {
        return channelMax;
    }

    int heartbeat() {
        return heartbeat;
    }
}
