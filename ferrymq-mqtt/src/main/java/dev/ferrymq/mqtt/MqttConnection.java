package dev.ferrymq.mqtt;

import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.broker.adapter.AdapterConnection;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttReasonCodes;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One MQTT client connection: its life (CONNECT, keep-alive, DISCONNECT or loss, takeover) and the dispatch of its
 * packets to the parts that handle them: {@link Login}, {@link InboundPublishes}, {@link SubscriptionManager},
 * {@link OutboundDeliveries}. A packet the decoder could not read (malformed, too large, a protocol violation) is
 * logged and closes the connection, an MQTT 5 client first getting DISCONNECT with the reason code. Connection
 * limits and alarms are the server's. Runs on the connection's event loop, apart from {@link #takeOver} and
 * {@link #close(String)}, which hand their work to it.
 */
final class MqttConnection extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(MqttConnection.class);

    private final MqttServices services;
    private final long connectedAt = System.currentTimeMillis();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private ChannelHandlerContext ctx;
    private ReadGate readGate;
    private boolean socketCounted;
    private volatile Session session; // once CONNECT is accepted
    private boolean connectSeen;
    /** Packets that arrived while a takeover of the client id was completing. */
    private ArrayDeque<Object> beforeConnAck;
    private boolean limitsCounted;
    private InboundPublishes publishes;
    private SubscriptionManager subscriptions;
    private OutboundDeliveries deliveries;
    private Will will;

    MqttConnection(MqttServices services) {
        this.services = services;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.readGate = new ReadGate(ctx, services.alarms(), this::handle);
        if (!services.gate().tryAcceptSocket()) {
            log.warn("closing MQTT connection from {}: too many connections", ctx.channel().remoteAddress());
            ctx.close();
            return;
        }
        socketCounted = true;
        services.clients().opened(this);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object packet) {
        if (beforeConnAck != null) {
            beforeConnAck.add(packet);
            return;
        }
        if (readGate.holdBack(packet, packet instanceof MqttPublishMessage)) {
            return;
        }
        handle(packet);
    }

    private void handle(Object packet) {
        try {
            MqttMessage message = (MqttMessage) packet;
            DecoderResult result = message.decoderResult();
            if (result.isFailure()) {
                badPacket(result.cause());
                return;
            }
            if (session == null) {
                if (message.fixedHeader().messageType() != MqttMessageType.CONNECT || connectSeen) {
                    protocolError("expected CONNECT, got " + message.fixedHeader().messageType());
                    return;
                }
                connectSeen = true;
                connect((MqttConnectMessage) message);
                return;
            }
            dispatch(message);
        } catch (BrokerException e) {
            log.warn("closing MQTT connection {} of '{}': {}", ctx.channel().remoteAddress(), clientId(),
                    e.getMessage());
            disconnect(e.replyCode() == 403 ? MqttReasonCodes.Disconnect.NOT_AUTHORIZED
                    : MqttReasonCodes.Disconnect.UNSPECIFIED_ERROR);
        } finally {
            ReferenceCountUtil.release(packet);
        }
    }

    private void dispatch(MqttMessage message) {
        switch (message.fixedHeader().messageType()) {
            case PUBLISH -> publishes.onPublish((MqttPublishMessage) message);
            case PUBACK -> deliveries.onPubAck(packetId(message));
            case PUBREL -> publishes.onPubRel(packetId(message));
            case SUBSCRIBE -> subscribe((MqttSubscribeMessage) message);
            case UNSUBSCRIBE -> {
                MqttUnsubscribeMessage unsubscribe = (MqttUnsubscribeMessage) message;
                int filters = subscriptions.unsubscribe(unsubscribe);
                ctx.write(Packets.unsubAck(unsubscribe.variableHeader().messageId(), filters));
            }
            case PINGREQ -> ctx.write(MqttMessage.PINGRESP);
            case DISCONNECT -> {
                if (!disconnectWithWill(message)) {
                    will = null; // a normal DISCONNECT discards the will
                }
                ctx.close();
            }
            case PUBREC, PUBCOMP -> { } // the server never sends QoS 2 (subscriptions are granted QoS 1 at most)
            default -> protocolError("unexpected " + message.fixedHeader().messageType());
        }
    }

    private static int packetId(MqttMessage message) {
        return ((MqttMessageIdVariableHeader) message.variableHeader()).messageId();
    }

    private boolean disconnectWithWill(MqttMessage disconnect) {
        return disconnect.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader header
                && header.reasonCode() == MqttReasonCodes.Disconnect.DISCONNECT_WITH_WILL_MESSAGE.byteValue();
    }

    private void subscribe(MqttSubscribeMessage subscribe) {
        List<SubscriptionManager.RetainedToSend> retained = new ArrayList<>();
        List<Integer> codes = subscriptions.subscribe(subscribe, retained);
        ctx.write(Packets.subAck(subscribe.idAndPropertiesVariableHeader().messageId(), codes));
        retained.forEach(send -> deliveries.sendRetained(send.message(), send.grantedQos()));
    }

    private void connect(MqttConnectMessage connect) {
        Login.Outcome outcome = Login.check(services, connect, ctx.channel().remoteAddress());
        if (outcome.session() == null) {
            refuse(outcome.refusal(), outcome.reason());
            return;
        }
        Session candidate = outcome.session();
        String refusal = services.gate().tryOpen(candidate.vhost().name(), candidate.user());
        if (refusal != null) {
            refuse(candidate.isMqtt5() ? MqttConnectReturnCode.CONNECTION_REFUSED_QUOTA_EXCEEDED
                    : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE, refusal);
            return;
        }
        limitsCounted = true;
        session = candidate;
        will = Will.of(connect, session.isMqtt5());
        MqttConnection previous = services.clients().claim(session.registryKey(), this);
        if (previous == null) {
            accept();
            return;
        }
        log.info("MQTT client id '{}' connected again from {}: closing its connection from {}", session.clientId(),
                ctx.channel().remoteAddress(), previous.ctx.channel().remoteAddress());
        beforeConnAck = new ArrayDeque<>();
        previous.takeOver().whenComplete((ignored, failure) -> ctx.executor().execute(() -> {
            if (!ctx.channel().isActive()) {
                return;
            }
            ArrayDeque<Object> waiting = beforeConnAck;
            beforeConnAck = null;
            accept();
            waiting.forEach(packet -> channelRead(ctx, packet));
            ctx.flush();
        }));
    }

    /** CONNACK accepted: the session's queues are consumed again (or dropped, for a clean session). */
    private void accept() {
        ctx.pipeline().replace("handshake-timeout", "keep-alive", keepAlive(session.keepAliveSeconds()));
        PublishAcks acks = new PublishAcks(ctx);
        publishes = new InboundPublishes(services, session, acks, readGate);
        deliveries = new OutboundDeliveries(ctx.channel(), session, services.settings().prefetch());
        subscriptions = new SubscriptionManager(services, session, deliveries);
        boolean sessionPresent = subscriptions.resume();
        MqttProperties properties = new MqttProperties();
        if (session.isMqtt5()) {
            properties.add(new MqttProperties.IntegerProperty(MqttProperties.SHARED_SUBSCRIPTION_AVAILABLE, 0));
            properties.add(new MqttProperties.IntegerProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER_AVAILABLE, 0));
            properties.add(new MqttProperties.IntegerProperty(MqttProperties.MAXIMUM_PACKET_SIZE,
                    services.settings().maxPacketSize()));
            if (session.assignedId()) {
                properties.add(new MqttProperties.StringProperty(MqttProperties.ASSIGNED_CLIENT_IDENTIFIER,
                        session.clientId()));
            }
        }
        ctx.writeAndFlush(Packets.connAck(MqttConnectReturnCode.CONNECTION_ACCEPTED, sessionPresent, properties));
        log.info("accepted {} connection {} (client id '{}', user '{}', vhost '{}')", session.protocolName(),
                ctx.channel().remoteAddress(), session.clientId(), session.user(), session.vhost().name());
    }

    /** The broker closes if the client is silent for one and a half keep-alive intervals (MQTT 3.1.1 §3.1.2.10). */
    private static IdleStateHandler keepAlive(int keepAliveSeconds) {
        long millis = keepAliveSeconds == 0 ? 0 : keepAliveSeconds * 1500L;
        return new IdleStateHandler(millis, 0, 0, TimeUnit.MILLISECONDS);
    }

    private void refuse(MqttConnectReturnCode code, String reason) {
        log.warn("refused MQTT connection from {}: {}", ctx.channel().remoteAddress(), reason);
        ctx.writeAndFlush(Packets.connAck(code, false, MqttProperties.NO_PROPERTIES))
                .addListener(future -> ctx.close());
    }

    private void badPacket(Throwable cause) {
        if (!connectSeen && cause instanceof MqttUnacceptableProtocolVersionException) {
            connectSeen = true;
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION, cause.getMessage());
            return;
        }
        if (!connectSeen && cause instanceof MqttIdentifierRejectedException) {
            connectSeen = true;
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED, cause.getMessage());
            return;
        }
        boolean tooLarge = cause instanceof TooLongFrameException;
        log.warn("closing MQTT connection {} (client id '{}'): {} packet: {}", ctx.channel().remoteAddress(),
                clientId(), tooLarge ? "too large a" : "malformed", cause.getMessage());
        disconnect(tooLarge ? MqttReasonCodes.Disconnect.PACKET_TOO_LARGE
                : MqttReasonCodes.Disconnect.MALFORMED_PACKET);
    }

    private void protocolError(String what) {
        log.warn("closing MQTT connection {} (client id '{}'): protocol error: {}", ctx.channel().remoteAddress(),
                clientId(), what);
        disconnect(MqttReasonCodes.Disconnect.PROTOCOL_ERROR);
    }

    /** Closes the connection, telling an MQTT 5 client why (DISCONNECT with a reason code) first. */
    private void disconnect(MqttReasonCodes.Disconnect reason) {
        if (session != null && session.isMqtt5()) {
            ctx.writeAndFlush(Packets.disconnect(reason.byteValue())).addListener(future -> ctx.close());
        } else {
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && deliveries != null) {
            deliveries.resume();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent && !readGate.blocked()) {
            log.warn("closing MQTT connection {} (client id '{}'): {}", ctx.channel().remoteAddress(), clientId(),
                    session == null ? "no CONNECT in time" : "keep-alive timeout");
            disconnect(MqttReasonCodes.Disconnect.KEEP_ALIVE_TIMEOUT);
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("MQTT connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("closing MQTT connection {} (client id '{}') after an unexpected error",
                    ctx.channel().remoteAddress(), clientId(), cause);
        }
        ctx.close();
    }

    /**
     * The connection ended, however: unacknowledged deliveries go back to their queues, the will is published
     * unless a DISCONNECT discarded it, a session that does not outlive the connection is deleted, and the
     * connection limits are released.
     */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        try {
            readGate.discard();
            if (beforeConnAck != null) {
                beforeConnAck.forEach(ReferenceCountUtil::release);
            }
            if (session != null) {
                endSession();
            }
            if (socketCounted) {
                services.gate().socketClosed();
            }
        } finally {
            services.clients().closed(this);
            closed.complete(null);
        }
        ctx.fireChannelInactive();
    }

    private void endSession() {
        if (deliveries != null) {
            deliveries.stop();
        }
        if (will != null && publishes != null) {
            try {
                publishes.publishWill(will);
            } catch (BrokerException e) {
                log.warn("could not publish the will of MQTT client '{}': {}", session.clientId(), e.getMessage());
            }
        }
        if (subscriptions != null) {
            subscriptions.connectionClosed();
        }
        services.clients().release(session.registryKey(), this);
        if (limitsCounted) {
            services.gate().closed(session.vhost().name(), session.user());
        }
    }

    /**
     * Another connection claimed this one's client id: close (MQTT 5: DISCONNECT 0x8E session taken over). The
     * future completes once this connection has ended, so the new one finds its session's queues free.
     */
    CompletableFuture<Void> takeOver() {
        ctx.executor().execute(() -> disconnect(MqttReasonCodes.Disconnect.SESSION_TAKEN_OVER));
        return closed;
    }

    /** Closes the connection from outside (management API, shutdown); from any thread. */
    void close(String reason) {
        ctx.executor().execute(() -> {
            log.info("closing MQTT connection {} (client id '{}'): {}", ctx.channel().remoteAddress(), clientId(),
                    reason);
            disconnect(MqttReasonCodes.Disconnect.ADMINISTRATIVE_ACTION);
        });
    }

    /** The server's alarms cleared (any thread). */
    void alarmsCleared() {
        if (readGate != null) {
            readGate.alarmsCleared();
        }
    }

    CompletableFuture<Void> closedFuture() {
        return closed;
    }

    String name() {
        InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
        InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
        return peer.getAddress().getHostAddress() + ":" + peer.getPort() + " -> " + local.getAddress()
                .getHostAddress() + ":" + local.getPort();
    }

    /** A snapshot for the management API, or null before CONNECT is accepted. Any thread (fields are final or
     * written once on the event loop before the connection is listed as logged in). */
    AdapterConnection snapshot() {
        Session current = session;
        if (current == null || ctx == null) {
            return null;
        }
        InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
        InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
        if (peer == null || local == null) {
            return null;
        }
        return new AdapterConnection(name(), current.protocolName(), peer.getAddress().getHostAddress(),
                peer.getPort(), local.getAddress().getHostAddress(), local.getPort(), current.user(),
                current.vhost().name(), current.clientId(), connectedAt);
    }

    private String clientId() {
        return session == null ? "" : session.clientId();
    }
}
