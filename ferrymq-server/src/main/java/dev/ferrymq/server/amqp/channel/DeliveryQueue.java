package dev.ferrymq.server.amqp.channel;

import dev.ferrymq.amqp.AmqpException;
import dev.ferrymq.amqp.ReplyCode;
import dev.ferrymq.amqp.frame.Frames;
import dev.ferrymq.amqp.method.BasicDeliver;
import dev.ferrymq.amqp.method.BasicGetEmpty;
import dev.ferrymq.amqp.method.BasicGetOk;
import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.MessageCounters;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.queue.QueueEntry;
import io.netty.buffer.ByteBuf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Hands deliveries from queue threads to the channel's event loop and writes them. A queue dispatching to one
 * of our consumers calls {@link #reserve} (prefetch credit, and room on the socket) and then {@link #enqueue};
 * a single drain task on the event loop assigns delivery tags, records what needs an ack in the
 * {@link UnackedTable} and writes {@code basic.deliver} frames, flushing once per batch, so tags follow the
 * order frames are written. Also writes basic.get-ok.
 *
 * <p>Slow consumers: while more than {@value #MAX_PENDING} deliveries wait for the event loop or the socket is
 * not writable, {@link #reserve} refuses and the channel is <em>starved</em>: the messages stay in their queues,
 * and the queues are asked to dispatch again once the drain has caught up or the socket drains.
 *
 * <p>Threads: {@link #reserve} and {@link #enqueue} run on any thread (atomics and a concurrent queue only);
 * everything else on the event loop.
 */
final class DeliveryQueue {
    private static final Logger log = LoggerFactory.getLogger(DeliveryQueue.class);
    /** Deliveries waiting for the event loop; beyond this a consumer's queues wait instead. */
    static final int MAX_PENDING = 2048;

    /** How a failed store read closes the channel. */
    @FunctionalInterface
    interface ChannelError {
        void close(int replyCode, String replyText, int classId, int methodId);
    }

    /** {@code entry} is null for direct reply-to messages; {@code message} null when read at writing time. */
    private record Delivery(ChannelConsumer consumer, QueueEntry entry, Message message) {
    }

    private final ChannelHost host;
    private final int channel;
    private final BooleanSupplier open;
    private final ChannelCredit credit;
    private final UnackedTable unacked;
    private final MessageCounters totals;
    private final Runnable kickConsumers;
    private final ChannelError channelError;
    private final ConcurrentLinkedQueue<Delivery> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingCount = new AtomicInteger();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private volatile boolean starved;

    /**
     * @param open          whether the channel is open (volatile: read from queue threads)
     * @param kickConsumers asks the queues of the channel's consumers to dispatch again
     */
    DeliveryQueue(ChannelHost host, int channel, BooleanSupplier open, ChannelCredit credit, UnackedTable unacked,
                  MessageCounters totals, Runnable kickConsumers, ChannelError channelError) {
        this.host = host;
        this.channel = channel;
        this.open = open;
        this.credit = credit;
        this.unacked = unacked;
        this.totals = totals;
        this.kickConsumers = kickConsumers;
        this.channelError = channelError;
    }

    /** Any thread: takes prefetch credit for one delivery if the window and the socket allow. */
    boolean reserve(ChannelConsumer consumer) {
        if (!open.getAsBoolean()) {
            return false;
        }
        if (pendingCount.get() >= MAX_PENDING || !host.isWritable()) {
            starved = true;
            // Make sure a drain runs after this point and sees the flag, even if the one in progress has just
            // checked it: otherwise nothing would restart this queue until the next publish.
            scheduleDrain();
            return false;
        }
        return consumer.noAck() || credit.reserve(consumer);
    }

    /** Any thread: queues a delivery and makes sure the event loop will write it. */
    void enqueue(ChannelConsumer consumer, QueueEntry entry, Message message) {
        pending.offer(new Delivery(consumer, entry, message));
        pendingCount.incrementAndGet();
        scheduleDrain();
    }

    private void scheduleDrain() {
        if (drainScheduled.compareAndSet(false, true)) {
            host.executor().execute(this::drainAndFlush);
        }
    }

    private void drainAndFlush() {
        drain();
        host.flushIfPending();
        if (starved && open.getAsBoolean() && host.isWritable()) {
            starved = false;
            kickConsumers.run();
        }
    }

    /** Writes what waits; on a closed channel, requeues it instead. */
    void drain() {
        drainScheduled.set(false);
        Delivery delivery;
        while ((delivery = pending.poll()) != null) {
            pendingCount.decrementAndGet();
            if (open.getAsBoolean()) {
                write(delivery);
            } else if (delivery.entry() != null && !delivery.consumer().noAck()) {
                delivery.entry().queue().requeue(List.of(delivery.entry()));
            }
        }
    }

    private void write(Delivery delivery) {
        Message message;
        try {
            message = delivery.message() != null ? delivery.message() : delivery.entry().message();
        } catch (RuntimeException e) {
            // A damaged store record: never deliver wrong bytes, never drop it silently. The entry goes back to
            // its queue and this channel closes loudly.
            log.error("cannot read message for delivery on channel {} of {}", channel, host.name(), e);
            channelError.close(ReplyCode.INTERNAL_ERROR, "INTERNAL_ERROR - message store read failed: "
                    + e.getMessage(), BasicDeliver.CLASS_ID, BasicDeliver.METHOD_ID);
            delivery.entry().queue().requeue(List.of(delivery.entry()));
            return;
        }
        long tag = unacked.nextTag();
        ChannelConsumer consumer = delivery.consumer();
        if (!consumer.noAck()) {
            unacked.add(tag, delivery.entry(), consumer);
        }
        boolean redelivered = delivery.entry() != null && delivery.entry().redelivered();
        countDelivery(delivery.entry());
        ByteBuf buf = host.alloc().buffer(64 + message.properties().length + message.bodySize());
        Frames.writeDelivery(buf, channel, new BasicDeliver(consumer.tag(), tag, redelivered, message.exchange(),
                message.routingKey()), message.properties(), message.body(), host.frameMax());
        host.write(buf);
    }

    /** basic.get: one message from {@code queue}, or basic.get-empty. */
    void get(Queue queue, boolean noAck) {
        QueueEntry entry = queue.get(noAck);
        if (entry == null) {
            host.send(channel, new BasicGetEmpty());
            return;
        }
        Message message;
        try {
            message = entry.message();
        } catch (RuntimeException e) {
            log.error("cannot read message for basic.get on channel {} of {}", channel, host.name(), e);
            if (!noAck) {
                queue.requeue(List.of(entry));
            }
            throw AmqpException.channel(ReplyCode.INTERNAL_ERROR, "message store read failed: " + e.getMessage());
        }
        long tag = unacked.nextTag();
        if (!noAck) {
            unacked.add(tag, entry, null);
        }
        countDelivery(entry);
        ByteBuf buf = host.alloc().buffer();
        Frames.writeDelivery(buf, channel, new BasicGetOk(tag, entry.redelivered(), message.exchange(),
                message.routingKey(), queue.messageCount()), message.properties(), message.body(), host.frameMax());
        host.write(buf);
    }

    /** The socket became writable again: queues that were refused may dispatch. */
    void resume() {
        if (starved) {
            starved = false;
            kickConsumers.run();
        }
    }

    /** Statistics of a delivery or basic.get-ok; {@code entry} is null for direct reply-to. */
    private void countDelivery(QueueEntry entry) {
        totals.delivered.increment();
        if (entry != null) {
            MessageCounters queueCounters = entry.queue().counters();
            queueCounters.delivered.increment();
            if (entry.redelivered()) {
                queueCounters.redelivered.increment();
                totals.redelivered.increment();
            }
        }
    }
}
