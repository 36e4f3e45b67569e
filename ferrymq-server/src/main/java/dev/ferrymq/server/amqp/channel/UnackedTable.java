package dev.ferrymq.server.amqp.channel;

import dev.ferrymq.amqp.AmqpException;
import dev.ferrymq.amqp.ReplyCode;
import dev.ferrymq.broker.MessageCounters;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.queue.QueueEntry;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The deliveries of one channel awaiting basic.ack/nack/reject, by delivery tag, in delivery order. Tags are
 * numbered from 1 per channel in the order deliveries are written. Settling an unknown tag is 406
 * PRECONDITION_FAILED ("unknown delivery tag"); a multiple ack with tag 0 means everything. Settled entries go
 * back to their queues with one call per run of entries from the same queue, and give their consumer's prefetch
 * credit back. Confined to the channel's event loop.
 */
final class UnackedTable {
    /** A delivery awaiting ack; {@code consumer} is null for basic.get, which takes no prefetch credit. */
    private record Unacked(QueueEntry entry, ChannelConsumer consumer, long deliveredAtNanos) {
    }

    private final LinkedHashMap<Long, Unacked> unacked = new LinkedHashMap<>();
    private final ChannelCredit credit;
    private final MessageCounters totals;
    private long lastTag;

    UnackedTable(ChannelCredit credit, MessageCounters totals) {
        this.credit = credit;
        this.totals = totals;
    }

    /** The tag of the next delivery or basic.get-ok. */
    long nextTag() {
        return ++lastTag;
    }

    /** Remembers a delivery that needs an ack; {@code consumer} is null for basic.get. */
    void add(long tag, QueueEntry entry, ChannelConsumer consumer) {
        unacked.put(tag, new Unacked(entry, consumer, System.nanoTime()));
    }

    int size() {
        return unacked.size();
    }

    /** Whether the oldest unacknowledged delivery is older than {@code timeoutNanos} (the consumer timeout). */
    boolean oldestOlderThan(long nowNanos, long timeoutNanos) {
        if (unacked.isEmpty()) {
            return false;
        }
        Unacked oldest = unacked.values().iterator().next(); // kept in delivery order
        return nowNanos - oldest.deliveredAtNanos() > timeoutNanos;
    }

    /** basic.ack: settles the delivery (or every one up to it), one settle call per run from the same queue. */
    void ack(long tag, boolean multiple) {
        List<Unacked> acked = take(tag, multiple);
        int from = 0;
        while (from < acked.size()) {
            Queue queue = acked.get(from).entry().queue();
            int to = from + 1;
            while (to < acked.size() && acked.get(to).entry().queue() == queue) {
                to++;
            }
            if (to - from == 1) {
                queue.settle(acked.get(from).entry());
            } else {
                List<QueueEntry> run = new ArrayList<>(to - from);
                for (int i = from; i < to; i++) {
                    run.add(acked.get(i).entry());
                }
                queue.settleAll(run);
            }
            queue.counters().acked.add(to - from);
            totals.acked.add(to - from);
            from = to;
        }
    }

    /** basic.nack / basic.reject: requeued, or rejected (dead-lettered if the queue says so). */
    void reject(long tag, boolean multiple, boolean requeue) {
        List<Unacked> rejected = take(tag, multiple);
        if (requeue) {
            requeue(rejected);
        } else {
            for (Unacked settled : rejected) {
                settled.entry().queue().reject(settled.entry());
            }
        }
    }

    /** Inside a transaction: the tag must be known now, though it is settled only at commit. */
    void checkKnown(long tag, boolean multiple) {
        if (multiple ? tag > lastTag : !unacked.containsKey(tag)) {
            throw unknownTag(tag);
        }
    }

    /** basic.recover: every unacknowledged delivery goes back to its queue, marked redelivered. */
    void recover(boolean requeue) {
        if (!requeue) {
            throw AmqpException.connection(ReplyCode.NOT_IMPLEMENTED, "requeue=false");
        }
        List<Unacked> all = new ArrayList<>(unacked.values());
        unacked.clear();
        all.forEach(this::returnCredit);
        requeue(all);
    }

    /** The channel closes: everything unacknowledged is requeued in order (its consumers are gone). */
    void requeueAll() {
        requeue(new ArrayList<>(unacked.values()));
        unacked.clear();
    }

    /** Removes and returns the deliveries an ack/nack/reject names; an unknown tag is a 406 channel error. */
    private List<Unacked> take(long tag, boolean multiple) {
        List<Unacked> taken = new ArrayList<>();
        if (multiple) {
            if (tag > lastTag) {
                throw unknownTag(tag);
            }
            Iterator<Map.Entry<Long, Unacked>> it = unacked.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<Long, Unacked> next = it.next();
                if (tag != 0 && next.getKey() > tag) {
                    break;
                }
                taken.add(next.getValue());
                it.remove();
            }
        } else {
            Unacked single = unacked.remove(tag);
            if (single == null) {
                throw unknownTag(tag);
            }
            taken.add(single);
        }
        taken.forEach(this::returnCredit);
        return taken;
    }

    private void returnCredit(Unacked settled) {
        if (settled.consumer() != null) {
            credit.release(settled.consumer());
        }
    }

    private static AmqpException unknownTag(long tag) {
        return AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "unknown delivery tag " + tag);
    }

    /** Requeues deliveries, one call per queue, in delivery order. */
    private static void requeue(List<Unacked> deliveries) {
        Map<Queue, List<QueueEntry>> byQueue = new LinkedHashMap<>();
        for (Unacked delivery : deliveries) {
            byQueue.computeIfAbsent(delivery.entry().queue(), q -> new ArrayList<>()).add(delivery.entry());
        }
        byQueue.forEach(Queue::requeue);
    }
}
