package dev.ferrymq.server.amqp.channel;

import dev.ferrymq.amqp.AmqpException;
import dev.ferrymq.amqp.Method;
import dev.ferrymq.amqp.ReplyCode;
import dev.ferrymq.amqp.method.BasicCancel;
import dev.ferrymq.amqp.method.BasicCancelOk;
import dev.ferrymq.amqp.method.BasicConsume;
import dev.ferrymq.amqp.method.BasicConsumeOk;
import dev.ferrymq.amqp.method.BasicGet;
import dev.ferrymq.amqp.method.BasicQos;
import dev.ferrymq.amqp.method.BasicQosOk;
import dev.ferrymq.broker.Permissions.Access;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.broker.queue.Queue;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The consumers of one channel: basic.qos, basic.consume (including the direct reply-to pseudo-queue),
 * basic.cancel from either side, and basic.get. Deliveries themselves go through {@link DeliveryQueue}.
 * Runs on the channel's event loop, except {@link #cancelledByServer}, which a deleted queue calls from any
 * thread.
 */
final class ChannelConsumers {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Consumer<Method> send;
    private final ChannelHost host;
    private final BooleanSupplier open;
    private final VirtualHost vhost;
    private final AccessControl access;
    private final TopologyCommands topology;
    private final ChannelCredit credit;
    private final DeliveryQueue deliveries;
    private final Map<String, ChannelConsumer> consumers = new LinkedHashMap<>();
    private ChannelConsumer replyConsumer;
    private String replyAddress;

    ChannelConsumers(Consumer<Method> send, ChannelHost host, BooleanSupplier open, VirtualHost vhost,
                     AccessControl access, TopologyCommands topology, ChannelCredit credit,
                     DeliveryQueue deliveries) {
        this.send = send;
        this.host = host;
        this.open = open;
        this.vhost = vhost;
        this.access = access;
        this.topology = topology;
        this.credit = credit;
        this.deliveries = deliveries;
    }

    void qos(BasicQos m) {
        if (m.prefetchSize() != 0) {
            throw AmqpException.connection(ReplyCode.NOT_IMPLEMENTED, "prefetch_size!=0 (" + m.prefetchSize() + ")");
        }
        credit.qos(m.prefetchCount(), m.global());
        send.accept(new BasicQosOk());
    }

    void consume(BasicConsume m) {
        String queueName = topology.resolveQueueName(m.queue());
        String tag = m.consumerTag().isEmpty() ? generateTag() : m.consumerTag();
        if (consumers.containsKey(tag)) {
            throw AmqpException.connection(ReplyCode.NOT_ALLOWED, "attempt to reuse consumer tag '" + tag + "'");
        }
        if (queueName.equals(VirtualHost.DIRECT_REPLY_TO)) {
            consumeDirectReplyTo(tag, m);
        } else {
            access.checkQueue(Access.READ, queueName);
            Queue queue = vhost.queue(queueName, host.owner());
            ChannelConsumer consumer = new ChannelConsumer(deliveries, this, tag, queue, m.noAck(),
                    credit.consumerPrefetch(), consumerPriority(m.arguments()), m.arguments());
            consumers.put(tag, consumer);
            try {
                queue.addConsumer(consumer, m.exclusive());
            } catch (RuntimeException e) {
                consumers.remove(tag);
                throw e;
            }
        }
        // Deliveries the queue handed over already are written by a later event-loop task, after this reply.
        if (!m.noWait()) {
            send.accept(new BasicConsumeOk(tag));
        }
    }

    /** The {@code x-priority} consumer argument: an integer, 0 when absent (RabbitMQ's rule). */
    private static int consumerPriority(Map<String, Object> arguments) {
        Object priority = arguments == null ? null : arguments.get("x-priority");
        if (priority == null) {
            return 0;
        }
        if (!(priority instanceof Byte || priority instanceof Short || priority instanceof Integer
                || priority instanceof Long)) {
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "invalid arg 'x-priority': "
                    + priority + " is not an integer");
        }
        return ((Number) priority).intValue();
    }

    private void consumeDirectReplyTo(String tag, BasicConsume m) {
        if (!m.noAck()) {
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "reply consumer cannot acknowledge");
        }
        if (replyConsumer != null) {
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "reply consumer already set");
        }
        ChannelConsumer consumer = new ChannelConsumer(deliveries, this, tag, null, true, 0, 0, null);
        replyConsumer = consumer;
        replyAddress = vhost.directReplyTo().register(message -> deliveries.enqueue(consumer, null, message));
        consumers.put(tag, consumer);
    }

    /** The address replies to this channel's direct reply-to consumer go to, or null without one. */
    String replyAddress() {
        return replyAddress;
    }

    void cancel(BasicCancel m) {
        ChannelConsumer consumer = consumers.remove(m.consumerTag());
        if (consumer != null) {
            detach(consumer);
        }
        if (!m.noWait()) {
            send.accept(new BasicCancelOk(m.consumerTag()));
        }
    }

    /** The channel closes: every consumer is detached from its queue. */
    void cancelAll() {
        for (ChannelConsumer consumer : List.copyOf(consumers.values())) {
            detach(consumer);
        }
        consumers.clear();
    }

    private void detach(ChannelConsumer consumer) {
        if (consumer == replyConsumer) {
            vhost.directReplyTo().unregister(replyAddress);
            replyConsumer = null;
            replyAddress = null;
        } else {
            consumer.queue().removeConsumer(consumer);
        }
    }

    /** Any thread: a queue we consume from was deleted; tell the client with a server-sent basic.cancel. */
    void cancelledByServer(ChannelConsumer consumer) {
        host.executor().execute(() -> {
            if (open.getAsBoolean() && consumers.remove(consumer.tag()) != null) {
                send.accept(new BasicCancel(consumer.tag(), true));
                host.flushIfPending();
            }
        });
    }

    void get(BasicGet m) {
        String queueName = topology.resolveQueueName(m.queue());
        access.checkQueue(Access.READ, queueName);
        deliveries.get(vhost.queue(queueName, host.owner()), m.noAck());
    }

    /** Asks the queues of this channel's consumers to dispatch again (credit came back, the socket drained). */
    void kick() {
        for (ChannelConsumer consumer : List.copyOf(consumers.values())) {
            if (consumer.queue() != null) {
                consumer.queue().dispatch();
            }
        }
    }

    boolean any() {
        return !consumers.isEmpty();
    }

    List<ConsumerInfo> info() {
        List<ConsumerInfo> infos = new ArrayList<>();
        for (ChannelConsumer consumer : consumers.values()) {
            infos.add(new ConsumerInfo(consumer.tag(),
                    consumer.queue() == null ? VirtualHost.DIRECT_REPLY_TO : consumer.queue().name(),
                    !consumer.noAck(), consumer.prefetch()));
        }
        return infos;
    }

    private static String generateTag() {
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        return "amq.ctag-" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }
}
