package dev.ferrymq.cluster.remote;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.PublishBatch;
import dev.ferrymq.broker.queue.AbstractQueue;
import dev.ferrymq.broker.queue.DeadLetterSink;
import dev.ferrymq.broker.queue.QueueConsumer;
import dev.ferrymq.broker.queue.QueueDeclaration;
import dev.ferrymq.broker.queue.QueueEntry;
import dev.ferrymq.broker.queue.QueueHost;
import dev.ferrymq.broker.queue.QueuePolicies;
import dev.ferrymq.broker.queue.QueueType;
import dev.ferrymq.broker.queue.classic.ClassicQueueType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongPredicate;

/**
 * A classic queue homed on another node, as this node's virtual host sees it (RabbitMQ routes on the publishing
 * node and delivers to the queue's home): routing here sends its messages to the home node ({@link HomeLink}),
 * confirmed once the home node confirms them; consumers, basic.get, acks, rejects, requeues and purge are done on
 * the home node over the internode connection. Its counts are the home node's (ready messages and consumers, by a
 * passive declare there, at most {@link #STATS_MAX_AGE_MILLIS} old), except the unacked count, which is this
 * node's consumers' only. When the home node is down: 404 "home node ... is down or inaccessible" for declare,
 * consume, get and purge, and a nack for a confirmed publish. Thread-safe.
 */
final class RemoteQueue extends AbstractQueue {
    private static final Logger log = LoggerFactory.getLogger(RemoteQueue.class);
    static final long STATS_MAX_AGE_MILLIS = 500;

    /** What a call on an internode channel does. */
    interface ChannelAction {
        void run(Channel channel) throws IOException;
    }

    private record Stats(int messages, int consumers, long at) {
    }

    private final HomeLink home;
    private final Map<QueueConsumer, RemoteConsumer> consumers = new ConcurrentHashMap<>();
    private volatile Stats stats = new Stats(0, 0, 0);
    private volatile boolean reachable = true;
    private volatile boolean deleted;
    private Channel getter; // guarded by this

    RemoteQueue(QueueHost host, QueueDeclaration declaration, HomeLink home) {
        super(host, declaration);
        this.home = home;
    }

    String homeNode() {
        return home.homeNode();
    }

    /** How RabbitMQ names it in the home-node-down refusal. */
    String description() {
        return (durable() ? "durable " : "") + this;
    }

    @Override
    public QueueType type() {
        return ClassicQueueType.INSTANCE;
    }

    /** Its messages are stored on its home node. */
    @Override
    public boolean keepsPersistentMessages() {
        return false;
    }

    // ---------------------------------------------------------------- messages

    @Override
    public boolean publish(Message message, long storedAt, PublishBatch batch, DeadLetterSink deadLetters) {
        return home.forward(name, message, batch);
    }

    @Override
    public synchronized QueueEntry get(boolean noAck) {
        try {
            if (getter == null || !getter.isOpen()) {
                getter = home.newChannel(description());
            }
            GetResponse got = getter.basicGet(name, noAck);
            if (got == null) {
                return null;
            }
            // a no-ack get is settled on the home node already: nothing to answer for it later
            return new RemoteEntry(this, noAck ? null : getter, got.getEnvelope().getDeliveryTag(),
                    message(got.getEnvelope(), got.getProps(), got.getBody()), got.getEnvelope().isRedeliver(), null);
        } catch (IOException | ShutdownSignalException e) {
            throw home.refusal(e, description());
        }
    }

    @Override
    public void settle(QueueEntry entry) {
        RemoteEntry remote = (RemoteEntry) entry;
        answer(remote, channel -> channel.basicAck(remote.deliveryTag, false));
    }

    @Override
    public void settleAll(List<QueueEntry> entries) {
        entries.forEach(this::settle);
    }

    @Override
    public void reject(QueueEntry entry) {
        RemoteEntry remote = (RemoteEntry) entry;
        answer(remote, channel -> channel.basicReject(remote.deliveryTag, false));
    }

    @Override
    public void requeue(List<QueueEntry> entries) {
        for (QueueEntry entry : entries) {
            RemoteEntry remote = (RemoteEntry) entry;
            answer(remote, channel -> channel.basicReject(remote.deliveryTag, true));
        }
    }

    /**
     * Answers for a held message on the channel it came on. If that fails the channel or connection is gone, and
     * the home node has requeued the message already.
     */
    static void answer(RemoteEntry entry, ChannelAction action) {
        if (entry.channel != null) {
            try {
                action.run(entry.channel);
            } catch (IOException | RuntimeException e) {
                log.debug("answering for a message of {} failed (its channel is gone)", entry.queue(), e);
            }
        }
        if (entry.consumer != null) {
            entry.consumer.settled();
        }
    }

    @Override
    public int purge() {
        return home.query(description(), channel -> channel.queuePurge(name).getMessageCount());
    }

    /** A message as the home node delivered it, for this node's consumer. */
    static Message message(Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
        return new Message(envelope.getExchange(), envelope.getRoutingKey(), PropertiesBytes.encode(properties), body,
                Integer.valueOf(2).equals(properties.getDeliveryMode()), Message.NEVER,
                properties.getPriority() == null ? 0 : properties.getPriority());
    }

    // ---------------------------------------------------------------- consumers

    @Override
    public void addConsumer(QueueConsumer consumer, boolean exclusiveUse) {
        if (deleted) {
            throw BrokerException.notFound("no " + this);
        }
        consumers.put(consumer, RemoteConsumer.start(this, home, consumer, exclusiveUse));
    }

    @Override
    public void removeConsumer(QueueConsumer consumer) {
        RemoteConsumer remote = consumers.remove(consumer);
        if (remote != null) {
            remote.cancel();
        }
    }

    /** The home node cancelled a consumer, or was lost: tell the local consumer, as RabbitMQ does. */
    void consumerLost(RemoteConsumer remote) {
        if (consumers.remove(remote.consumer, remote)) {
            remote.consumer.cancelledByServer(this);
        }
    }

    @Override
    public QueueConsumer activeConsumer() {
        return null;
    }

    @Override
    public void dispatch() {
        consumers.values().forEach(RemoteConsumer::drain);
    }

    @Override
    public boolean congested() {
        return false;
    }

    @Override
    public void whenUncongested(Runnable listener) {
        listener.run();
    }

    // ---------------------------------------------------------------- info

    /** 404 "home node ... is down or inaccessible" unless the home node answers for the queue now. */
    @Override
    public void checkReachable() {
        fetchStats();
    }

    private Stats fetchStats() {
        try {
            AMQP.Queue.DeclareOk ok = home.query(description(), channel -> channel.queueDeclarePassive(name));
            Stats fetched = new Stats(ok.getMessageCount(), ok.getConsumerCount(), System.currentTimeMillis());
            stats = fetched;
            reachable = true;
            return fetched;
        } catch (BrokerException e) {
            reachable = false;
            throw e;
        }
    }

    /** Recent figures from the home node, or the last known ones when it does not answer (the management API). */
    private Stats stats() {
        Stats known = stats;
        if (System.currentTimeMillis() - known.at() <= STATS_MAX_AGE_MILLIS) {
            return known;
        }
        try {
            return fetchStats();
        } catch (BrokerException e) {
            return known;
        }
    }

    @Override
    public int messageCount() {
        return stats().messages();
    }

    @Override
    public int unackedCount() {
        return 0; // held on the home node; this node's consumers' own are on their channels
    }

    @Override
    public int consumerCount() {
        return stats().consumers();
    }

    @Override
    public Map<String, Object> details() {
        return Map.of("node", home.homeNode(), "state", reachable ? "running" : "down");
    }

    @Override
    public boolean isDeleted() {
        return deleted;
    }

    // ---------------------------------------------------------------- life cycle

    @Override
    public void touch() {
        // x-expires is the home node's: a declaration there renews it
    }

    @Override
    public void applyPolicies(QueuePolicies applicable) {
        usePolicies(applicable);
    }

    /** The replicated delete reached this node: the home node deletes the queue itself. */
    @Override
    public List<QueueConsumer> delete() {
        deleted = true;
        List<QueueConsumer> cancelled = new ArrayList<>();
        for (RemoteConsumer remote : List.copyOf(consumers.values())) {
            if (consumers.remove(remote.consumer, remote)) {
                remote.cancel();
                cancelled.add(remote.consumer);
            }
        }
        synchronized (this) {
            if (getter != null) {
                try {
                    getter.abort();
                } catch (IOException | RuntimeException e) {
                    log.debug("closing the basic.get channel of {} failed", this, e);
                }
            }
        }
        return cancelled;
    }

    @Override
    public long recover(LongPredicate inStore) {
        return 0;
    }
}
