package dev.ferrymq.mqtt;

import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.broker.Permissions.Access;
import dev.ferrymq.broker.TopicPermissions;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.broker.publish.PublishRequest;
import dev.ferrymq.broker.publish.PublishResult;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A connection's incoming PUBLISH packets (and its will), through the vhost's one publishing path: the topic is
 * mapped to a routing key on {@code mqtt-exchange} ({@link TopicMapper}), the message gets AMQP properties
 * ({@link MessageMapping}), {@code Publisher} routes, stores and enqueues it. The user needs write permission on
 * the exchange and, with a topic permission for it, a routing key its write pattern matches, as for AMQP. QoS 1 is answered with PUBACK and
 * QoS 2 with PUBREC once the message is safe ({@link PublishAcks}); QoS 2 is exactly once into the broker: the
 * packet id stays in {@link #awaitingRelease} until PUBREL, and a PUBLISH repeated with that id in the meantime is
 * answered again but not routed again. A retained message replaces its topic's in the {@link RetainedStore}.
 * Confined to the connection's event loop.
 */
final class InboundPublishes {
    private final MqttServices services;
    private final Session session;
    private final PublishAcks acks;
    private final ReadGate readGate;
    /** QoS 2 packet ids published and answered with PUBREC, waiting for the client's PUBREL. */
    private final Set<Integer> awaitingRelease = new HashSet<>();

    InboundPublishes(MqttServices services, Session session, PublishAcks acks, ReadGate readGate) {
        this.services = services;
        this.session = session;
        this.acks = acks;
        this.readGate = readGate;
    }

    /**
     * Publishes the packet and answers it.
     *
     * @throws BrokerException when the user may not publish to the exchange, or the exchange is missing (the
     *                         connection closes: MQTT 3.1.1 has no way to refuse a publish)
     */
    void onPublish(MqttPublishMessage packet) {
        int qos = packet.fixedHeader().qosLevel().value();
        int packetId = packet.variableHeader().packetId();
        if (qos == 2 && awaitingRelease.contains(packetId)) {
            acks.answer(Packets.pubRec(packetId, Packets.SUCCESS)); // a resend: routed the first time
            return;
        }
        byte[] body = ByteBufUtil.getBytes(packet.payload());
        MqttProperties properties = session.isMqtt5() ? packet.variableHeader().properties() : null;
        String topic = packet.variableHeader().topicName();
        List<CompletableFuture<?>> safe = new ArrayList<>(2);
        PublishResult result = publish(topic, qos, packet.fixedHeader().isDup(), properties, body, safe);
        if (packet.fixedHeader().isRetain()) {
            safe.add(services.retained().put(session.vhost().name(), topic, qos, body));
        }
        if (qos == 0) {
            return;
        }
        byte reason = result.refused() ? Packets.QUOTA_EXCEEDED
                : result.queues() == 0 ? Packets.NO_MATCHING_SUBSCRIBERS : Packets.SUCCESS;
        if (qos == 2) {
            awaitingRelease.add(packetId);
        }
        var answer = qos == 1 ? Packets.pubAck(packetId, reason) : Packets.pubRec(packetId, reason);
        if (safe.isEmpty()) {
            acks.answer(answer);
        } else {
            acks.answerWhen(CompletableFuture.allOf(safe.toArray(CompletableFuture[]::new)), answer);
        }
    }

    /** PUBREL: the QoS 2 exchange for {@code packetId} is over. */
    void onPubRel(int packetId) {
        awaitingRelease.remove(packetId);
        acks.answer(Packets.pubComp(packetId));
    }

    /** Publishes the will as if the client had published it (permissions and all). */
    void publishWill(Will will) {
        List<CompletableFuture<?>> ignored = new ArrayList<>(1);
        publish(will.topic(), will.qos(), false, will.properties(), will.body(), ignored);
        if (will.retain()) {
            services.retained().put(session.vhost().name(), will.topic(), will.qos(), will.body());
        }
    }

    /** Routes one message; adds to {@code safe} what its answer must wait for (the fsync of a stored message). */
    private PublishResult publish(String topic, int qos, boolean dup, MqttProperties properties, byte[] body,
                                  List<CompletableFuture<?>> safe) {
        VirtualHost vhost = session.vhost();
        String exchange = services.settings().exchange();
        services.broker().permissions().check(session.user(), vhost.name(), Access.WRITE, "exchange", exchange);
        String routingKey = TopicMapper.toRoutingKey(topic);
        TopicPermissions.check(services.broker().topicPermissions().of(session.user(), vhost.name()).get(exchange),
                true, routingKey);
        MessageMapping.AmqpProperties amqp = MessageMapping.toAmqp(qos, dup, properties);
        PublishRequest request = vhost.publisher().prepare(exchange, routingKey, amqp.encoded(), amqp.decoded(),
                body);
        PublishResult result = vhost.publisher().publish(request, null);
        if (result.congested() != null) {
            readGate.pauseFor(result.congested());
        }
        if (result.stored() && qos > 0) {
            CompletableFuture<Void> synced = new CompletableFuture<>();
            vhost.persistence().syncer().whenDurable(() -> synced.complete(null), synced::completeExceptionally);
            safe.add(synced);
        }
        return result;
    }
}
