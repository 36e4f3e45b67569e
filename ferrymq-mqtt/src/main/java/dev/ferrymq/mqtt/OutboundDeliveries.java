package dev.ferrymq.mqtt;

import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.queue.QueueEntry;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Messages on their way to one MQTT client: from its subscription queues ({@link SubscriptionConsumer}) and the
 * retained messages of a new subscription. Queues offer entries from their own threads: an offer takes a unit of
 * the in-flight window (QoS 1 queue only: {@code mqtt-prefetch}, at most the client's receive maximum) and goes
 * on a concurrent hand-over queue, which one task on the event loop drains, writing PUBLISH packets with packet ids
 * and flushing once. A QoS 1 delivery stays in flight until the client's PUBACK settles its entry and returns the
 * window; one at QoS 0 (the message was published at QoS 0) is settled once written. Offers are refused while
 * the socket is not writable or the hand-over is long, and the queues are asked to dispatch again when it drains.
 * When the connection ends, what is in flight or not yet written goes back to its queue, marked redelivered.
 * Thread-safety: {@link #offer} and {@link #cancelled} from any thread; everything else on the event loop.
 */
final class OutboundDeliveries {
    private static final int MAX_HANDOVER = 1024;

    private record Delivery(SubscriptionConsumer consumer, QueueEntry entry, Message message) {
    }

    /** A delivery the client has not acknowledged; {@code entry} is null for a retained message. */
    private record InFlight(SubscriptionConsumer consumer, QueueEntry entry) {
    }

    private final Channel channel;
    private final EventLoop loop;
    private final boolean mqtt5;
    private final AtomicInteger window;
    private final ConcurrentLinkedQueue<Delivery> handover = new ConcurrentLinkedQueue<>();
    private final AtomicInteger handoverSize = new AtomicInteger();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    /** An offer was refused because the hand-over was full: the queues must be asked again once it drains. */
    private final AtomicBoolean refusedWhileFull = new AtomicBoolean();
    private final List<SubscriptionConsumer> consumers = new CopyOnWriteArrayList<>();
    private final Map<Integer, InFlight> inFlight = new HashMap<>();
    private volatile boolean stopped;
    private int lastPacketId;

    OutboundDeliveries(Channel channel, Session session, int prefetch) {
        this.channel = channel;
        this.loop = channel.eventLoop();
        this.mqtt5 = session.isMqtt5();
        this.window = new AtomicInteger(Math.max(1, Math.min(prefetch, session.receiveMaximum())));
    }

    /** Starts consuming from the consumer's queue. */
    void attach(SubscriptionConsumer consumer) {
        consumers.add(consumer);
        consumer.queue().addConsumer(consumer, false);
    }

    boolean consumes(int qos) {
        return consumers.stream().anyMatch(consumer -> consumer.qos() == qos);
    }

    /** A queue offers an entry (any thread, under the queue's lock). */
    boolean offer(SubscriptionConsumer consumer, QueueEntry entry) {
        if (stopped || !channel.isWritable()) {
            return false; // channelWritabilityChanged restarts the queues
        }
        if (handoverSize.get() >= MAX_HANDOVER) {
            refusedWhileFull.set(true);
            return false;
        }
        if (!consumer.noAck() && !takeWindow()) {
            return false;
        }
        // an automatically acknowledged entry is settled on return: take its message now
        Message message = consumer.noAck() ? entry.message() : entry.messageIfLoaded();
        handover.add(new Delivery(consumer, entry, message));
        handoverSize.incrementAndGet();
        if (drainScheduled.compareAndSet(false, true)) {
            loop.execute(this::drain);
        }
        return true;
    }

    private boolean takeWindow() {
        while (true) {
            int open = window.get();
            if (open <= 0) {
                return false;
            }
            if (window.compareAndSet(open, open - 1)) {
                return true;
            }
        }
    }

    private void drain() {
        drainScheduled.set(false);
        boolean wrote = false;
        for (Delivery delivery = handover.poll(); delivery != null; delivery = handover.poll()) {
            handoverSize.decrementAndGet();
            if (stopped) {
                giveBack(delivery.consumer(), delivery.entry());
                continue;
            }
            Message message = delivery.message() != null ? delivery.message() : delivery.entry().message();
            int qos = Math.min(delivery.consumer().qos(), MessageMapping.qosOf(message));
            int packetId = 0;
            if (qos > 0) {
                packetId = nextPacketId();
                inFlight.put(packetId, new InFlight(delivery.consumer(), delivery.entry()));
            }
            write(TopicMapper.toTopic(message.routingKey()), qos, false, packetId, message.body(),
                    mqtt5 ? MessageMapping.toMqtt5(message) : MqttProperties.NO_PROPERTIES,
                    qos > 0 && delivery.entry().redelivered());
            if (qos == 0 && !delivery.consumer().noAck()) {
                delivery.entry().queue().settle(delivery.entry()); // sent at the message's QoS 0: done
                returnWindow(delivery.consumer());
            }
            wrote = true;
        }
        if (wrote) {
            channel.flush();
        }
        if (refusedWhileFull.getAndSet(false) && !stopped) {
            resume();
        }
    }

    /** Sends a retained message to a new subscription (after its SUBACK), at the lower of the two QoS. */
    void sendRetained(RetainedStore.Retained retained, int grantedQos) {
        int qos = Math.min(retained.qos(), grantedQos);
        int packetId = 0;
        if (qos > 0) {
            packetId = nextPacketId();
            inFlight.put(packetId, new InFlight(null, null));
        }
        write(retained.topic(), qos, true, packetId, retained.body(), MqttProperties.NO_PROPERTIES, false);
    }

    private void write(String topic, int qos, boolean retain, int packetId, byte[] body, MqttProperties properties,
                       boolean dup) {
        var publish = MqttMessageBuilders.publish().topicName(topic).qos(MqttQoS.valueOf(qos)).retained(retain)
                .messageId(packetId).payload(Unpooled.wrappedBuffer(body)).properties(properties).build();
        if (dup) { // a redelivery: the builder has no DUP flag
            publish = new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, true,
                    publish.fixedHeader().qosLevel(), retain, 0), publish.variableHeader(), publish.payload());
        }
        channel.write(publish);
    }

    private int nextPacketId() {
        do {
            lastPacketId = lastPacketId == 0xFFFF ? 1 : lastPacketId + 1;
        } while (inFlight.containsKey(lastPacketId));
        return lastPacketId;
    }

    /** PUBACK: the client has the message. */
    void onPubAck(int packetId) {
        InFlight acked = inFlight.remove(packetId);
        if (acked == null || acked.entry() == null) {
            return; // unknown id (ignored, as RabbitMQ does) or a retained message
        }
        acked.entry().queue().settle(acked.entry());
        returnWindow(acked.consumer());
    }

    private void returnWindow(SubscriptionConsumer consumer) {
        if (window.getAndIncrement() == 0) {
            consumer.queue().dispatch(); // it stopped offering when the window closed
        }
    }

    /** The socket is writable again, or the window reopened: let the queues offer again. */
    void resume() {
        consumers.forEach(consumer -> consumer.queue().dispatch());
    }

    /** The queue was deleted under the session (e.g. through the management API). */
    void cancelled(SubscriptionConsumer consumer) {
        consumers.remove(consumer);
    }

    /** The connection ended: stop consuming and give back what the client has not acknowledged. */
    void stop() {
        stopped = true;
        for (SubscriptionConsumer consumer : consumers) {
            consumer.queue().removeConsumer(consumer);
        }
        consumers.clear();
        List<InFlight> unacked = new ArrayList<>(inFlight.values());
        inFlight.clear();
        for (InFlight delivery : unacked) {
            if (delivery.entry() != null) {
                giveBack(delivery.consumer(), delivery.entry());
            }
        }
        drain(); // gives back what was handed over but not written
    }

    private static void giveBack(SubscriptionConsumer consumer, QueueEntry entry) {
        if (!consumer.noAck()) {
            entry.queue().requeue(List.of(entry));
        }
    }
}
