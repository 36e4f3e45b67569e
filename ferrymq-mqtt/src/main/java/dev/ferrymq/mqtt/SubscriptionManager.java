package dev.ferrymq.mqtt;

import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.broker.Permissions;
import dev.ferrymq.broker.Permissions.Access;
import dev.ferrymq.broker.TopicPermissions;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.broker.queue.Queue;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A session's subscriptions, as RabbitMQ's MQTT plugin keeps them: each client has up to two queues,
 * {@code mqtt-subscription-<clientid>qos0} and {@code ...qos1}, and a subscription is a binding of one of them to
 * {@code mqtt-exchange} with the filter as binding key ({@link TopicMapper}). A subscription asking for QoS 1 or 2
 * uses the QoS 1 queue and is granted QoS 1 (the QoS 2 handshake is only done for publishes into the broker);
 * subscribing again to a filter at the other QoS moves its binding. The queues are durable for a session that
 * outlives its connection (3.1.1 without clean session, MQTT 5 with a session expiry, which becomes the queues'
 * {@code x-expires}), so the subscriptions and the QoS 1 messages waiting for the client survive a disconnect and a
 * restart; otherwise they are deleted when the connection ends. Confined to the connection's event loop.
 */
final class SubscriptionManager {
    private static final Logger log = LoggerFactory.getLogger(SubscriptionManager.class);
    private static final String SHARED_PREFIX = "$share/";
    private static final int FAILURE = 0x80;
    private static final int SHARED_SUBSCRIPTIONS_NOT_SUPPORTED = 0x9E;

    private final MqttServices services;
    private final Session session;
    private final OutboundDeliveries deliveries;
    private int consumerTags;

    SubscriptionManager(MqttServices services, Session session, OutboundDeliveries deliveries) {
        this.services = services;
        this.session = session;
        this.deliveries = deliveries;
    }

    static String queueName(String clientId, int qos) {
        return "mqtt-subscription-" + clientId + "qos" + qos;
    }

    /**
     * At connect: a clean session drops what an earlier one left; otherwise the session's queues are consumed
     * again. Returns whether a session was present (CONNACK's session-present flag).
     */
    boolean resume() {
        VirtualHost vhost = session.vhost();
        if (session.cleanSession()) {
            deleteQueues();
            return false;
        }
        boolean present = false;
        for (int qos = 0; qos <= 1; qos++) {
            Queue queue = vhost.findQueue(queueName(session.clientId(), qos));
            if (queue != null) {
                consume(queue, qos);
                present = true;
            }
        }
        return present;
    }

    /** The retained messages a SUBSCRIBE brings, to send after its SUBACK. */
    record RetainedToSend(RetainedStore.Retained message, int grantedQos) {
    }

    /** Subscribes; returns the SUBACK codes, one per filter, and adds what to send after it to {@code retained}. */
    List<Integer> subscribe(MqttSubscribeMessage packet, List<RetainedToSend> retained) {
        List<Integer> codes = new ArrayList<>();
        for (MqttTopicSubscription subscription : packet.payload().topicSubscriptions()) {
            String filter = subscription.topicFilter();
            if (filter.startsWith(SHARED_PREFIX)) {
                codes.add(session.isMqtt5() ? SHARED_SUBSCRIPTIONS_NOT_SUPPORTED : FAILURE);
                continue;
            }
            if (!TopicFilter.isValid(filter)) {
                codes.add(FAILURE);
                continue;
            }
            int granted = Math.min(1, subscription.qualityOfService() == MqttQoS.FAILURE ? 0
                    : subscription.qualityOfService().value());
            try {
                bind(filter, granted);
            } catch (BrokerException e) {
                log.warn("MQTT client '{}' cannot subscribe to '{}': {}", session.clientId(), filter, e.getMessage());
                codes.add(session.isMqtt5() && e.replyCode() == 403 ? Packets.NOT_AUTHORIZED & 0xFF : FAILURE);
                continue;
            }
            codes.add(granted);
            for (RetainedStore.Retained message : services.retained().matching(session.vhost().name(), filter)) {
                retained.add(new RetainedToSend(message, granted));
            }
        }
        return codes;
    }

    private void bind(String filter, int qos) {
        VirtualHost vhost = session.vhost();
        String exchange = services.settings().exchange();
        String queueName = queueName(session.clientId(), qos);
        Permissions permissions = services.broker().permissions();
        permissions.check(session.user(), vhost.name(), Access.CONFIGURE, "queue", queueName);
        permissions.check(session.user(), vhost.name(), Access.WRITE, "queue", queueName);
        permissions.check(session.user(), vhost.name(), Access.READ, "exchange", exchange);
        String bindingKey = TopicMapper.toBindingKey(filter);
        TopicPermissions.check(services.broker().topicPermissions().of(session.user(), vhost.name()).get(exchange),
                false, bindingKey);
        if (!deliveries.consumes(qos)) {
            Queue queue = vhost.findQueue(queueName);
            if (queue == null) {
                queue = vhost.declareQueue(queueName, false, session.persistent(), false, false, queueArguments(),
                        null).queue();
            }
            consume(queue, qos);
        }
        vhost.bindQueue(queueName, exchange, bindingKey, Map.of(), null);
        vhost.unbindQueue(queueName(session.clientId(), 1 - qos), exchange, bindingKey, Map.of(), null);
    }

    private Map<String, Object> queueArguments() {
        long expiry = session.expirySeconds();
        return expiry > 0 ? Map.of("x-expires", Math.min(Integer.MAX_VALUE, expiry * 1000)) : Map.of();
    }

    private void consume(Queue queue, int qos) {
        deliveries.attach(new SubscriptionConsumer(queue, qos, "mqtt-" + session.clientId() + "-" + consumerTags++,
                deliveries));
    }

    /** Unsubscribes each filter (from whichever queue holds it); returns how many. */
    int unsubscribe(MqttUnsubscribeMessage packet) {
        VirtualHost vhost = session.vhost();
        String exchange = services.settings().exchange();
        List<String> filters = packet.payload().topics();
        for (String filter : filters) {
            String bindingKey = TopicMapper.toBindingKey(filter);
            for (int qos = 0; qos <= 1; qos++) {
                vhost.unbindQueue(queueName(session.clientId(), qos), exchange, bindingKey, Map.of(), null);
            }
        }
        return filters.size();
    }

    /** The connection ended (its consumers are already detached): a session that does not outlive it goes. */
    void connectionClosed() {
        if (!session.persistent()) {
            deleteQueues();
        }
    }

    private void deleteQueues() {
        for (int qos = 0; qos <= 1; qos++) {
            session.vhost().deleteQueue(queueName(session.clientId(), qos), false, false, null);
        }
    }
}
