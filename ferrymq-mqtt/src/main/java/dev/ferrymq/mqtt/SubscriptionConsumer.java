package dev.ferrymq.mqtt;

import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.queue.QueueConsumer;
import dev.ferrymq.broker.queue.QueueEntry;

/**
 * The queue's view of an MQTT session consuming its subscription queue: the QoS 0 queue's consumer
 * acknowledges automatically, the QoS 1 queue's settles an entry when the client's PUBACK comes. Offers go to the
 * connection's {@link OutboundDeliveries}. Thread-safe (called by queues under their lock).
 */
final class SubscriptionConsumer implements QueueConsumer {
    private final Queue queue;
    private final int qos;
    private final String tag;
    private final OutboundDeliveries deliveries;

    SubscriptionConsumer(Queue queue, int qos, String tag, OutboundDeliveries deliveries) {
        this.queue = queue;
        this.qos = qos;
        this.tag = tag;
        this.deliveries = deliveries;
    }

    Queue queue() {
        return queue;
    }

    /** The subscription QoS its queue serves: a delivery's QoS is the lower of this and the message's. */
    int qos() {
        return qos;
    }

    @Override
    public String tag() {
        return tag;
    }

    @Override
    public boolean noAck() {
        return qos == 0;
    }

    @Override
    public boolean tryDeliver(QueueEntry entry) {
        return deliveries.offer(this, entry);
    }

    @Override
    public void cancelledByServer(Queue deleted) {
        deliveries.cancelled(this);
    }
}
