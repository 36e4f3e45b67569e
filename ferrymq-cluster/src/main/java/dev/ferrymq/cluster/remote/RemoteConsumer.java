package dev.ferrymq.cluster.remote;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import dev.ferrymq.broker.queue.QueueConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * One of this node's consumers of a remote queue: a consumer of the queue on its home node, on an internode
 * channel of its own whose prefetch is the local consumer's (at most {@link #MAX_PREFETCH}). What the home node
 * delivers waits here until the local channel takes it ({@link QueueConsumer#tryDeliver}); a no-ack consumer's
 * messages are acked to the home node as the local channel takes them. After a cancel the channel stays open
 * until every message the local consumer holds is settled (closing it would make the home node requeue them).
 * Thread-safe: deliveries come on the client's threads, settles on the local channels'.
 */
final class RemoteConsumer extends DefaultConsumer {
    private static final Logger log = LoggerFactory.getLogger(RemoteConsumer.class);
    /** Bounds what waits here for a local consumer with no prefetch of its own. */
    static final int MAX_PREFETCH = 1_000;

    final QueueConsumer consumer;
    private final RemoteQueue queue;
    private final ArrayDeque<RemoteEntry> waiting = new ArrayDeque<>();
    private int held;
    private boolean cancelled;

    private RemoteConsumer(Channel channel, RemoteQueue queue, QueueConsumer consumer) {
        super(channel);
        this.queue = queue;
        this.consumer = consumer;
    }

    /** Subscribes on the home node; its refusal (403 exclusive use, 404 ...) is thrown as it gave it. */
    static RemoteConsumer start(RemoteQueue queue, HomeLink link, QueueConsumer consumer, boolean exclusiveUse) {
        Channel channel = link.newChannel(queue.description());
        RemoteConsumer remote = new RemoteConsumer(channel, queue, consumer);
        try {
            int prefetch = consumer.prefetch();
            channel.basicQos(prefetch > 0 && prefetch < MAX_PREFETCH ? prefetch : MAX_PREFETCH);
            Map<String, Object> arguments = new HashMap<>(consumer.arguments());
            if (consumer.priority() != 0) {
                arguments.put("x-priority", consumer.priority());
            }
            channel.basicConsume(queue.name(), false, "", false, exclusiveUse, arguments, remote);
            return remote;
        } catch (IOException | ShutdownSignalException e) {
            throw link.refusal(e, queue.description());
        }
    }

    @Override
    public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
        RemoteEntry entry = new RemoteEntry(queue, getChannel(), envelope.getDeliveryTag(),
                RemoteQueue.message(envelope, properties, body), envelope.isRedeliver(), this);
        synchronized (this) {
            waiting.add(entry);
        }
        drain();
    }

    /** Hands waiting messages to the local consumer while it takes them. */
    void drain() {
        synchronized (this) {
            while (!cancelled && !waiting.isEmpty() && consumer.tryDeliver(waiting.peekFirst())) {
                RemoteEntry delivered = waiting.pollFirst();
                held++;
                if (consumer.noAck()) {
                    queue.settle(delivered);
                }
            }
        }
    }

    /** The local consumer settled (acked, rejected or requeued) one of the messages it held. */
    void settled() {
        boolean close;
        synchronized (this) {
            held--;
            close = cancelled && held <= 0;
        }
        if (close) {
            closeChannel();
        }
    }

    /** basic.cancel on this node: stop the home node's deliveries and give back what the local one never took. */
    void cancel() {
        boolean close;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            close = held <= 0;
            for (RemoteEntry entry : waiting) {
                RemoteQueue.answer(entry, channel -> channel.basicReject(entry.deliveryTag, true));
            }
            waiting.clear();
        }
        try {
            getChannel().basicCancel(getConsumerTag());
        } catch (IOException | RuntimeException e) {
            log.debug("cancelling a consumer of {} on its home node failed", queue, e);
        }
        if (close) {
            closeChannel();
        }
    }

    private void closeChannel() {
        try {
            getChannel().abort();
        } catch (IOException | RuntimeException e) {
            log.debug("closing a consumer's channel failed", e);
        }
    }

    /** The home node cancelled it (the queue was deleted there) or the channel or connection was lost. */
    @Override
    public void handleCancel(String tag) {
        lost();
    }

    @Override
    public void handleShutdownSignal(String tag, ShutdownSignalException signal) {
        lost();
    }

    private void lost() {
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            waiting.clear();
        }
        queue.consumerLost(this);
    }
}
