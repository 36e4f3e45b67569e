package dev.ferrymq.broker;

import dev.ferrymq.broker.persistence.Persistence;
import dev.ferrymq.broker.persistence.QueueIndex;
import dev.ferrymq.broker.routing.Destination;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
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
    /**
     * Flow control: with more ready messages than this while consumers are taking messages, the queue is
     * congested and publishers are asked to pause; below {@link #UNCONGESTED_BELOW} they resume.
     */
    private static final int CONGESTED_ABOVE = 2_000;
    private static final int UNCONGESTED_BELOW = 1_000;
    /** Consumers that took nothing for this long are stalled, not slow: publishers are no longer paused. */
    private static final long STALLED_AFTER_NANOS = 50_000_000;
    /** Above this many bytes of ready bodies in memory, newly stored messages are kept on disk only. */
    private static final long MAX_READY_BYTES_IN_MEMORY = 8L * 1024 * 1024;

    private final VirtualHost vhost;
    private final String name;
    private final boolean durable;
    private final boolean exclusive;
    private final Object owner;
    private final boolean autoDelete;
    private final Map<String, Object> arguments;
    /** The on-disk index when this queue keeps persistent messages (durable, not exclusive), else null. */
    private final QueueIndex index;
    private final Persistence persistence;

    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<QueueEntry> ready = new ArrayDeque<>();
    /** Requeued entries always precede everything still in {@code ready}: they were delivered from its head. */
    private final PriorityQueue<QueueEntry> requeued = new PriorityQueue<>(BY_SEQ);
    private final List<QueueConsumer> consumers = new ArrayList<>();
    private final MessageCounters counters = new MessageCounters();
    private boolean exclusiveConsumer;
    private boolean hadConsumers;
    private int nextConsumer;
    private long nextSeq;
    private int unacked;
    private long readyBytesInMemory;
    private boolean deleted;
    private volatile boolean congested;
    private volatile long lastDeliveryNanos;
    private List<Runnable> uncongestedListeners;

    Queue(VirtualHost vhost, String name, boolean durable, boolean exclusive, Object owner, boolean autoDelete,
          Map<String, Object> arguments, QueueIndex index) {
        this.vhost = vhost;
        this.name = name;
        this.durable = durable;
        this.exclusive = exclusive;
        this.owner = owner;
        this.autoDelete = autoDelete;
        this.arguments = Collections.unmodifiableMap(new LinkedHashMap<>(arguments));
        this.index = index;
        this.persistence = index == null ? null : vhost.persistence();
    }

    QueueIndex index() {
        return index;
    }

    /** Whether persistent messages published to this queue are written to the store. */
    public boolean keepsPersistentMessages() {
        return index != null;
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
        publish(message, QueueEntry.NOT_STORED);
    }

    /**
     * Appends a message; {@code position} is where it was stored (with a reference already taken for this
     * queue), or {@link QueueEntry#NOT_STORED}.
     */
    void publish(Message message, long position) {
        lock.lock();
        try {
            if (deleted) {
                if (position != QueueEntry.NOT_STORED) {
                    persistence.release(position);
                }
                return;
            }
            // A stored message stays in memory only while the queue is shallow; deep queues live on disk.
            boolean keepInMemory = position == QueueEntry.NOT_STORED || readyBytesInMemory < MAX_READY_BYTES_IN_MEMORY;
            QueueEntry entry = new QueueEntry(this, nextSeq++, keepInMemory ? message : null, position,
                    message.expiresAt());
            if (position != QueueEntry.NOT_STORED) {
                index.enqueued(position, message.expiresAt());
            }
            if (keepInMemory) {
                readyBytesInMemory += message.bodySize();
            }
            ready.addLast(entry);
            dispatchLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Re-creates the entries recovered from this queue's index at start-up, marked redelivered. */
    public void restore(List<QueueIndex.Entry> stored) {
        lock.lock();
        try {
            for (QueueIndex.Entry recovered : stored) {
                persistence.retain(recovered.position());
                QueueEntry entry = new QueueEntry(this, nextSeq++, null, recovered.position(),
                        recovered.expiresAt());
                entry.markRedelivered();
                ready.addLast(entry);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Reads a paged-out message back from the store. */
    Message load(QueueEntry entry) {
        return persistence.loadMessage(entry.position());
    }

    /**
     * basic.get: takes the next entry, or null when none is ready. Unless {@code noAck}, it stays unacked until
     * settled; with {@code noAck} it is settled at once, its message loaded first.
     */
    public QueueEntry get(boolean noAck) {
        lock.lock();
        try {
            QueueEntry entry = peekNext() == null ? null : pollNext();
            updateCongestionLocked();
            if (entry != null) {
                unacked++;
                if (noAck) {
                    entry.loadForDelivery();
                    settleLocked(entry);
                }
            }
            return entry;
        } finally {
            lock.unlock();
        }
    }

    /** Settles an entry handed out (ack, or reject/nack without requeue): it leaves the queue for good. */
    public void settle(QueueEntry entry) {
        lock.lock();
        try {
            settleLocked(entry);
        } finally {
            lock.unlock();
        }
    }

    private void settleLocked(QueueEntry entry) {
        if (!deleted) {
            unacked--;
            if (entry.stored()) {
                index.removed(entry.position());
            }
        }
        if (entry.stored()) {
            persistence.release(entry.position());
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
                if (persistence != null) {
                    releaseStored(entries); // nobody settles them any more
                }
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
            updateCongestionLocked();
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
        if (deliverReadyLocked() > 0) {
            lastDeliveryNanos = System.nanoTime();
        }
        updateCongestionLocked();
    }

    /** Hands ready entries to consumers, round-robin, until none can take more; returns how many. */
    private int deliverReadyLocked() {
        int count = consumers.size();
        int delivered = 0;
        while (count > 0 && !deleted) {
            QueueEntry entry = peekNext();
            if (entry == null) {
                return delivered;
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
                return delivered;
            }
            pollNext();
            unacked++;
            delivered++;
            if (taker.noAck()) {
                settleLocked(entry); // the consumer took the message with it (see QueueConsumer#tryDeliver)
            }
        }
        return delivered;
    }

    // ---------------------------------------------------------------- flow control

    /**
     * Whether publishers should pause: consumers are taking messages but falling behind. Consumers that take
     * nothing at all (stalled, or none) never pause publishers; that backlog is for memory limits to handle.
     */
    public boolean congested() {
        return congested && System.nanoTime() - lastDeliveryNanos < STALLED_AFTER_NANOS;
    }

    /** Runs {@code listener} (from any thread, must not block) once the queue is no longer congested. */
    public void whenUncongested(Runnable listener) {
        lock.lock();
        try {
            if (congested) {
                if (uncongestedListeners == null) {
                    uncongestedListeners = new ArrayList<>(2);
                }
                uncongestedListeners.add(listener);
                return;
            }
        } finally {
            lock.unlock();
        }
        listener.run();
    }

    private void updateCongestionLocked() {
        int backlog = ready.size() + requeued.size();
        if (!congested) {
            congested = backlog > CONGESTED_ABOVE && !consumers.isEmpty() && !deleted;
        } else if (backlog < UNCONGESTED_BELOW || consumers.isEmpty() || deleted) {
            congested = false;
            if (uncongestedListeners != null) {
                List<Runnable> listeners = uncongestedListeners;
                uncongestedListeners = null;
                listeners.forEach(Runnable::run);
            }
        }
    }

    /** The next entry to deliver, after dropping expired ones from the head (RabbitMQ's per-message TTL). */
    private QueueEntry peekNext() {
        long now = 0;
        while (true) {
            QueueEntry first = requeued.peek();
            QueueEntry next = first != null ? first : ready.peekFirst();
            if (next == null || next.expiresAt() == Message.NEVER) {
                return next;
            }
            if (now == 0) {
                now = System.currentTimeMillis();
            }
            if (!next.expired(now)) {
                return next;
            }
            pollNext();
            dropLocked(next);
        }
    }

    /** Removes a ready entry for good without delivering it. */
    private void dropLocked(QueueEntry entry) {
        if (entry.stored()) {
            index.removed(entry.position());
            persistence.release(entry.position());
        }
    }

    private QueueEntry pollNext() {
        QueueEntry first = requeued.poll();
        if (first != null) {
            return first;
        }
        QueueEntry next = ready.pollFirst();
        if (next != null) {
            Message inMemory = next.messageIfLoaded();
            if (inMemory != null) {
                readyBytesInMemory -= inMemory.bodySize();
            }
        }
        return next;
    }

    /** Drops every ready message; returns how many. Unacked ones are not touched (as in RabbitMQ). */
    public int purge() {
        lock.lock();
        try {
            int count = ready.size() + requeued.size();
            if (index != null) {
                // The index first: a crash must never leave it pointing at released messages.
                index.removeAll(storedPositions());
            }
            dropReady();
            updateCongestionLocked();
            return count;
        } finally {
            lock.unlock();
        }
    }

    private Set<Long> storedPositions() {
        Set<Long> positions = new HashSet<>();
        for (QueueEntry entry : ready) {
            if (entry.stored()) {
                positions.add(entry.position());
            }
        }
        for (QueueEntry entry : requeued) {
            if (entry.stored()) {
                positions.add(entry.position());
            }
        }
        return positions;
    }

    /** Forgets every ready entry, releasing its store reference. */
    private void dropReady() {
        if (persistence != null) {
            releaseStored(ready);
            releaseStored(requeued);
        }
        ready.clear();
        requeued.clear();
        readyBytesInMemory = 0;
    }

    private void releaseStored(Collection<QueueEntry> entries) {
        for (QueueEntry entry : entries) {
            if (entry.stored()) {
                persistence.release(entry.position());
            }
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
            if (index != null) {
                index.delete();
            }
            dropReady();
            List<QueueConsumer> cancelled = new ArrayList<>(consumers);
            consumers.clear();
            updateCongestionLocked();
            return cancelled;
        } finally {
            lock.unlock();
        }
    }

    boolean isExclusiveTo(Object connection) {
        return !exclusive || owner == connection;
    }

    /** Message counters of this queue (enqueued, delivered, acked, redelivered), for statistics. */
    public MessageCounters counters() {
        return counters;
    }

    @Override
    public String toString() {
        return "queue '" + name + "' in vhost '" + vhost.name() + "'";
    }
}
