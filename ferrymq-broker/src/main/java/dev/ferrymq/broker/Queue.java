package dev.ferrymq.broker;

import dev.ferrymq.broker.routing.Destination;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A queue: ready entries in publish order, consumers served round-robin, and a count of entries handed out but
 * not yet settled (the consumer's channel holds those).
 *
 * <p>Thread-safety: every mutable field is guarded by {@code lock}. Publishers, consumers' channels and the
 * virtual host call in from any thread. The queue never calls into its {@link VirtualHost} while holding the lock
 * (the lock order is virtual host, then queue).
 */
public final class Queue implements Destination {
    private static final Comparator<QueueEntry> BY_SEQ = Comparator.comparingLong(QueueEntry::seq);

    private final VirtualHost vhost;
    private final String name;
    private final boolean durable;
    private final boolean exclusive;
    private final Object owner;
    private final boolean autoDelete;
    private final Map<String, Object> arguments;

    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<QueueEntry> ready = new ArrayDeque<>();
    /** Requeued entries always precede everything still in {@code ready}: they were delivered from its head. */
    private final PriorityQueue<QueueEntry> requeued = new PriorityQueue<>(BY_SEQ);
    private final List<QueueConsumer> consumers = new ArrayList<>();
    private boolean exclusiveConsumer;
    private boolean hadConsumers;
    private int nextConsumer;
    private long nextSeq;
    private int unacked;
    private boolean deleted;

    Queue(VirtualHost vhost, String name, boolean durable, boolean exclusive, Object owner, boolean autoDelete,
          Map<String, Object> arguments) {
        this.vhost = vhost;
        this.name = name;
        this.durable = durable;
        this.exclusive = exclusive;
        this.owner = owner;
        this.autoDelete = autoDelete;
        this.arguments = Collections.unmodifiableMap(new LinkedHashMap<>(arguments));
    }

    @Override
    public String name() {
        return name;
    }

    public VirtualHost vhost() {
        return vhost;
    }

    public boolean durable() {
        return durable;
    }

    public boolean exclusive() {
        return exclusive;
    }

    /** The connection that owns an exclusive queue, or null. */
    public Object owner() {
        return owner;
    }

    public boolean autoDelete() {
        return autoDelete;
    }

    public Map<String, Object> arguments() {
        return arguments;
    }

    /** Appends a message and hands it to a consumer if one can take it. */
    public void publish(Message message) {
        lock.lock();
        try {
            if (deleted) {
                return;
            }
            ready.addLast(new QueueEntry(this, nextSeq++, message));
            dispatchLocked();
        } finally {
            lock.unlock();
        }
    }

    /** basic.get: takes the next entry, or null when none is ready. Unless {@code noAck}, it stays unacked. */
    public QueueEntry get(boolean noAck) {
        lock.lock();
        try {
            QueueEntry entry = pollNext();
            if (entry != null && !noAck) {
                unacked++;
            }
            return entry;
        } finally {
            lock.unlock();
        }
    }

    /** Settles an entry handed out with acknowledgement required (ack, or reject/nack without requeue). */
    public void settle(QueueEntry entry) {
        lock.lock();
        try {
            if (!deleted) {
                unacked--;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Puts unacked entries back at their original positions, marked redelivered. */
    public void requeue(List<QueueEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            if (deleted) {
                return;
            }
            for (QueueEntry entry : entries) {
                entry.markRedelivered();
                requeued.add(entry);
                unacked--;
            }
            dispatchLocked();
        } finally {
            lock.unlock();
        }
    }

    public void addConsumer(QueueConsumer consumer, boolean exclusiveUse) {
        lock.lock();
        try {
            if (deleted) {
                throw BrokerException.notFound("no queue '" + name + "' in vhost '" + vhost.name() + "'");
            }
            if (exclusiveConsumer || (exclusiveUse && !consumers.isEmpty())) {
                throw BrokerException.accessRefused("queue '" + name + "' in vhost '" + vhost.name()
                        + "' in exclusive use");
            }
            consumers.add(consumer);
            exclusiveConsumer = exclusiveUse;
            hadConsumers = true;
            dispatchLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Removes a consumer; an auto-delete queue goes away with its last consumer. */
    public void removeConsumer(QueueConsumer consumer) {
        boolean deleteNow;
        lock.lock();
        try {
            if (!consumers.remove(consumer)) {
                return;
            }
            exclusiveConsumer = false;
            deleteNow = autoDelete && hadConsumers && consumers.isEmpty() && !deleted;
        } finally {
            lock.unlock();
        }
        if (deleteNow) {
            vhost.deleteAutoDeleteQueue(this);
        }
    }

    /** Tries to hand ready entries to consumers; consumers call this when they can take more. */
    public void dispatch() {
        lock.lock();
        try {
            dispatchLocked();
        } finally {
            lock.unlock();
        }
    }

    private void dispatchLocked() {
        int count = consumers.size();
        while (count > 0 && !deleted) {
            QueueEntry entry = peekNext();
            if (entry == null) {
                return;
            }
            QueueConsumer taker = null;
            for (int i = 0; i < count; i++) {
                int index = (nextConsumer + i) % count;
                QueueConsumer candidate = consumers.get(index);
                if (candidate.tryDeliver(entry)) {
                    taker = candidate;
                    nextConsumer = (index + 1) % count;
                    break;
                }
            }
            if (taker == null) {
                return;
            }
            pollNext();
            if (!taker.noAck()) {
                unacked++;
            }
        }
    }

    private QueueEntry peekNext() {
        QueueEntry first = requeued.peek();
        return first != null ? first : ready.peekFirst();
    }

    private QueueEntry pollNext() {
        QueueEntry first = requeued.poll();
        return first != null ? first : ready.pollFirst();
    }

    /** Drops every ready message; returns how many. Unacked ones are not touched (as in RabbitMQ). */
    public int purge() {
        lock.lock();
        try {
            int count = ready.size() + requeued.size();
            ready.clear();
            requeued.clear();
            return count;
        } finally {
            lock.unlock();
        }
    }

    /** Ready messages (not counting unacked ones), as queue.declare-ok reports. */
    public int messageCount() {
        lock.lock();
        try {
            return ready.size() + requeued.size();
        } finally {
            lock.unlock();
        }
    }

    public int unackedCount() {
        lock.lock();
        try {
            return unacked;
        } finally {
            lock.unlock();
        }
    }

    public int consumerCount() {
        lock.lock();
        try {
            return consumers.size();
        } finally {
            lock.unlock();
        }
    }

    public boolean isDeleted() {
        lock.lock();
        try {
            return deleted;
        } finally {
            lock.unlock();
        }
    }

    /** Marks the queue deleted, drops its messages and returns the consumers to notify. Called by the vhost. */
    List<QueueConsumer> markDeleted() {
        lock.lock();
        try {
            deleted = true;
            ready.clear();
            requeued.clear();
            List<QueueConsumer> cancelled = new ArrayList<>(consumers);
            consumers.clear();
            return cancelled;
        } finally {
            lock.unlock();
        }
    }

    boolean isExclusiveTo(Object connection) {
        return !exclusive || owner == connection;
    }

    @Override
    public String toString() {
        return "queue '" + name + "' in vhost '" + vhost.name() + "'";
    }
}
