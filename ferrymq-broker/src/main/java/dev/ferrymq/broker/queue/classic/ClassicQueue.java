package dev.ferrymq.broker.queue.classic;

import dev.ferrymq.broker.persistence.PagedMessages;
import dev.ferrymq.broker.persistence.Persistence;
import dev.ferrymq.broker.persistence.QueueIndex;
import dev.ferrymq.broker.routing.Destination;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A queue: ready entries in delivery order, consumers served round-robin (highest consumer priority first), and
 * a count of entries handed out but not yet settled (the consumer's channel holds those). Applies the queue
 * arguments of {@link QueueArguments}: message TTL, length limits, dead-lettering, priorities, single active
 * consumer and queue expiry, merged with the policies that apply to it ({@link QueuePolicies}).
 *
 * <p>Thread-safety: every mutable field is guarded by {@code lock}; {@code settings} and {@code policies} are
 * swapped under it and are volatile, so they may also be read without it. Publishers, consumers' channels, the
 * virtual host and timers call in from any thread. The queue never calls into its {@link VirtualHost} while
 * holding the lock (the lock order is virtual host, then queue): dead letters are collected under the lock and
 * republished after it is released.
 */
public final class Queue implements Destination {
    /**
     * Flow control: with more ready messages than this while consumers are taking messages, the queue is
     * congested and publishers are asked to pause; below {@link #UNCONGESTED_BELOW} they resume.
     */
    private static final int CONGESTED_ABOVE = 2_000;
    private static final int UNCONGESTED_BELOW = 1_000;
    /**
     * The same thresholds while ready bodies on the heap, across all queues, are near the paging budget: a
     * hundred queues 2,000 deep would page out (and trip the memory alarm) although each keeps up on its own.
     */
    private static final int CONGESTED_NEAR_BUDGET_ABOVE = 200;
    private static final int UNCONGESTED_NEAR_BUDGET_BELOW = 100;
    /**
     * Consumers that took nothing for this long are stalled, not slow: publishers are no longer paused. Generous,
     * because with many queues on two busy cores one queue's consumer may take a batch only every few hundred ms.
     */
    static final long STALLED_AFTER_NANOS = 2_000_000_000L;
    /**
     * Above this many bytes of ready bodies in memory (or when all queues together are over the broker's budget),
     * new messages are kept on disk only: in the store if they are stored anyway, else in the page file.
     */
    private static final long MAX_READY_BYTES_IN_MEMORY = 8L * 1024 * 1024;

    private final VirtualHost vhost;
    private final String name;
    private final boolean durable;
    private final boolean exclusive;
    private final Object owner;
    private final boolean autoDelete;
    private final Map<String, Object> arguments;
    /** The settings of the queue's own arguments, before policies. */
    private final QueueArguments declaredSettings;
    /** {@code declaredSettings} merged with {@code policies}. */
    private volatile QueueArguments settings;
    private volatile QueuePolicies policies;
    /** The on-disk index when this queue keeps persistent messages (durable, not exclusive), else null. */
    private final QueueIndex index;
    /** The store, or null for an in-memory broker (which then never pages out). */
    private final Persistence persistence;
    private final PagedMessages paging;

    private final ReentrantLock lock = new ReentrantLock();
    private final ReadyEntries ready;
    /** Consumers by descending priority; equal priorities in arrival order. */
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
    /** When the head's expiry timer fires (epoch ms), or 0 when none is scheduled. */
    private long expiryTimerAt;
    private ScheduledFuture<?> expiryTimer;
    /** x-expires: when the queue was last used (epoch ms). */
    private long lastUsedMillis = System.currentTimeMillis();
    /** Dead letters collected under the lock, republished by {@link #flushDeadLetters()} after it. */
    private final ConcurrentLinkedQueue<Message> deadLetters = new ConcurrentLinkedQueue<>();

    Queue(VirtualHost vhost, String name, boolean durable, boolean exclusive, Object owner, boolean autoDelete,
          Map<String, Object> arguments, QueueIndex index) {
        this.vhost = vhost;
        this.name = name;
        this.durable = durable;
        this.exclusive = exclusive;
        this.owner = owner;
        this.autoDelete = autoDelete;
        this.arguments = Collections.unmodifiableMap(new LinkedHashMap<>(arguments));
        this.declaredSettings = QueueArguments.parse(arguments, toString());
        this.policies = QueuePolicies.lookUp(vhost.policies(), name);
        this.settings = policies.applyTo(declaredSettings, this.arguments);
        this.ready = new ReadyEntries(settings.maxPriority());
        this.index = index;
        this.persistence = vhost.persistence();
        this.paging = persistence == null ? null : persistence.paging();
        scheduleExpiryCheck();
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

    public QueueArguments settings() {
        return settings;
    }

    /** The policy and operator policy applied to this queue. */
    public QueuePolicies policies() {
        return policies;
    }

    /**
     * Applies the policies now in force in the vhost, as RabbitMQ does: length limits at once (a drop-head queue
     * over its new limit drops or dead-letters from the head), dead-lettering from the next dead letter on,
     * message TTL to messages enqueued from now on, queue expiry from now on.
     */
    void applyPolicies(QueuePolicies applicable) {
        lock.lock();
        try {
            if (deleted) {
                return;
            }
            long previousExpires = settings.expires();
            policies = applicable;
            settings = applicable.applyTo(declaredSettings, arguments);
            if (settings.overflow() == QueueArguments.Overflow.DROP_HEAD) {
                enforceLengthLimitLocked();
            }
            if (settings.expires() != previousExpires) {
                scheduleExpiryCheck();
            }
            updateCongestionLocked();
        } finally {
            lock.unlock();
        }
        flushDeadLetters();
    }

    /** Appends a message and hands it to a consumer if one can take it. */
    public void publish(Message message) {
        publish(message, QueueEntry.NOT_STORED);
    }

    /**
     * Appends a message; {@code position} is where it was stored (with a reference already taken for this
     * queue), or {@link QueueEntry#NOT_STORED}.
     */
    boolean publish(Message message, long position) {
        return publish(message, position, null);
    }

    /**
     * Like {@link #publish(Message, long)}; a stored entry joins {@code batch} (may be null) until it settles.
     * Returns false when the queue refused the message (full, with {@code x-overflow} reject-publish); the
     * publisher's confirm is then a nack.
     */
    boolean publish(Message message, long position, PublishBatch batch) {
        boolean refused = false;
        lock.lock();
        try {
            if (deleted || !admitLocked(message)) {
                refused = !deleted;
                if (position != QueueEntry.NOT_STORED) {
                    persistence.release(position);
                }
            } else {
                QueueEntry entry = newEntry(message, position);
                if (position != QueueEntry.NOT_STORED) {
                    index.enqueued(position, entry.expiresAt(), entry.priority(), entry.bodySize());
                    if (batch != null) {
                        entry.joinBatch(batch);
                    }
                }
                ready.add(entry);
                enforceLengthLimitLocked();
                dispatchLocked();
                if (entry.expiresAt() != Message.NEVER) {
                    scheduleExpiryLocked();
                }
            }
        } finally {
            lock.unlock();
        }
        flushDeadLetters();
        return !refused;
    }

    /** With x-overflow reject-publish[-dlx], refuses a message that would take the queue over its limit. */
    private boolean admitLocked(Message message) {
        if (!settings.hasLengthLimit() || settings.overflow() == QueueArguments.Overflow.DROP_HEAD) {
            return true;
        }
        boolean full = settings.maxLength() >= 0 && ready.size() >= settings.maxLength()
                || settings.maxLengthBytes() >= 0 && ready.bodyBytes() + message.bodySize() > settings.maxLengthBytes();
        if (full && settings.overflow() == QueueArguments.Overflow.REJECT_PUBLISH_DLX) {
            deadLetterLocked(message, DeadLetter.MAXLEN);
        }
        return !full;
    }

    /** x-overflow drop-head: drops (or dead-letters) from the head until the queue is within its limits. */
    private void enforceLengthLimitLocked() {
        if (!settings.hasLengthLimit()) {
            return;
        }
        while (!ready.isEmpty() && (settings.maxLength() >= 0 && ready.size() > settings.maxLength()
                || settings.maxLengthBytes() >= 0 && ready.bodyBytes() > settings.maxLengthBytes())) {
            dropLocked(pollNext(), DeadLetter.MAXLEN);
        }
    }

    /**
     * A message stays in memory while there is room; past that it lives on disk only (deep queues), in the store
     * if it was stored, else in the page file. Consumers that keep up never see a message leave memory.
     */
    private QueueEntry newEntry(Message message, long position) {
        long seq = nextSeq++;
        long expiresAt = expiresAt(message);
        int priority = settings.maxPriority() == 0 ? 0
                : ready.levelFor(vhost.propertiesCodec().priority(message.properties()));
        boolean room = readyBytesInMemory < MAX_READY_BYTES_IN_MEMORY && (paging == null || !paging.underPressure())
                || consumersWaitingLocked();
        if (room || paging == null) {
            heldOnHeap(message.bodySize());
            return QueueEntry.inMemory(this, seq, message, position, expiresAt, priority);
        }
        if (position != QueueEntry.NOT_STORED) {
            return QueueEntry.stored(this, seq, position, expiresAt, priority, message.bodySize());
        }
        return QueueEntry.pagedOut(this, seq, paging.pageOut(message), expiresAt, priority, message.bodySize());
    }

    /** The earlier of the message's own expiry and the queue's x-message-ttl. */
    private long expiresAt(Message message) {
        if (settings.messageTtl() < 0) {
            return message.expiresAt();
        }
        long queueExpiry = System.currentTimeMillis() + settings.messageTtl();
        return message.expiresAt() == Message.NEVER ? queueExpiry : Math.min(queueExpiry, message.expiresAt());
    }

    /** Whether a consumer could take the next message right now (so paging it out would be wasted work). */
    private boolean consumersWaitingLocked() {
        return !consumers.isEmpty() && ready.isEmpty();
    }

    private void heldOnHeap(long bytes) {
        readyBytesInMemory += bytes;
        if (paging != null) {
            paging.heldOnHeap(bytes);
        }
    }

    /** Re-creates the entries recovered from this queue's index at start-up, marked redelivered. */
    public void restore(List<QueueIndex.Entry> stored) {
        lock.lock();
        try {
            for (QueueIndex.Entry recovered : stored) {
                persistence.retain(recovered.position());
                QueueEntry entry = QueueEntry.stored(this, nextSeq++, recovered.position(), recovered.expiresAt(),
                        ready.levelFor(recovered.priority()), recovered.bodySize());
                entry.markRedelivered();
                ready.add(entry);
            }
            scheduleExpiryLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Reads a message that is not in memory back from the store or the page file. */
    Message load(QueueEntry entry) {
        return entry.paged() ? paging.load(entry.position()) : persistence.loadMessage(entry.position());
    }

    /** The entry leaves the queue for good: its publisher batch stops waiting for it, its disk reference goes. */
    private void leaveForGood(QueueEntry entry) {
        entry.leaveBatch();
        if (entry.paged()) {
            paging.release(entry.position());
        } else if (entry.stored()) {
            persistence.release(entry.position());
        }
    }

    /**
     * basic.get: takes the next entry, or null when none is ready. Unless {@code noAck}, it stays unacked until
     * settled; with {@code noAck} it is settled at once, its message loaded first.
     */
    public QueueEntry get(boolean noAck) {
        QueueEntry entry;
        lock.lock();
        try {
            lastUsedMillis = System.currentTimeMillis();
            entry = peekNext() == null ? null : pollNext();
            updateCongestionLocked();
            if (entry != null) {
                unacked++;
                if (noAck) {
                    entry.loadForDelivery();
                    settleLocked(entry);
                }
            }
        } finally {
            lock.unlock();
        }
        flushDeadLetters();
        return entry;
    }

    /** Settles an entry handed out (ack, or auto-ack): it leaves the queue for good. */
    public void settle(QueueEntry entry) {
        lock.lock();
        try {
            settleLocked(entry);
        } finally {
            lock.unlock();
        }
    }

    /** Settles many entries (a multiple ack) under one lock, with one index write for all of them. */
    public void settleAll(List<QueueEntry> entries) {
        lock.lock();
        try {
            if (!deleted) {
                unacked -= entries.size();
                long[] positions = new long[entries.size()];
                int stored = 0;
                for (QueueEntry entry : entries) {
                    if (entry.stored()) {
                        positions[stored++] = entry.position();
                    }
                }
                if (stored > 0) {
                    index.removedAll(positions, stored);
                }
            }
            for (QueueEntry entry : entries) {
                leaveForGood(entry);
            }
        } finally {
            lock.unlock();
        }
    }

    /** basic.reject / basic.nack without requeue: the entry leaves the queue, dead-lettered if configured. */
    public void reject(QueueEntry entry) {
        lock.lock();
        try {
            if (settings.deadLetters() && !deleted) {
                deadLetterLocked(entry.message(), DeadLetter.REJECTED);
            }
            settleLocked(entry);
        } finally {
            lock.unlock();
        }
        flushDeadLetters();
    }

    private void settleLocked(QueueEntry entry) {
        if (!deleted) {
            unacked--;
            if (entry.stored()) {
                index.removed(entry.position());
            }
        }
        leaveForGood(entry);
    }

    /** Puts unacked entries back at their original positions, marked redelivered. */
    public void requeue(List<QueueEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            if (deleted) {
                leaveForGood(entries); // nobody settles them any more
                return;
            }
            for (QueueEntry entry : entries) {
                entry.markRedelivered();
                ready.requeue(entry);
                unacked--;
            }
            dispatchLocked();
            scheduleExpiryLocked();
        } finally {
            lock.unlock();
        }
        flushDeadLetters();
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
            int at = 0;
            while (at < consumers.size() && consumers.get(at).priority() >= consumer.priority()) {
                at++;
            }
            consumers.add(at, consumer);
            exclusiveConsumer = exclusiveUse;
            hadConsumers = true;
            lastUsedMillis = System.currentTimeMillis();
            dispatchLocked();
        } finally {
            lock.unlock();
        }
        flushDeadLetters();
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
            lastUsedMillis = System.currentTimeMillis();
            deleteNow = autoDelete && hadConsumers && consumers.isEmpty() && !deleted;
            if (settings.singleActiveConsumer()) {
                dispatchLocked(); // the next consumer becomes the active one
            }
            updateCongestionLocked();
        } finally {
            lock.unlock();
        }
        flushDeadLetters();
        if (deleteNow) {
            vhost.deleteAutoDeleteQueue(this);
        }
    }

    /** The consumer that receives messages of a single-active-consumer queue, or null. */
    public QueueConsumer activeConsumer() {
        lock.lock();
        try {
            return consumers.isEmpty() ? null : consumers.get(0);
        } finally {
            lock.unlock();
        }
    }

    /** A redeclaration counts as use for x-expires. */
    void touch() {
        lock.lock();
        try {
            lastUsedMillis = System.currentTimeMillis();
        } finally {
            lock.unlock();
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
        flushDeadLetters();
    }

    private void dispatchLocked() {
        if (deliverReadyLocked() > 0) {
            lastDeliveryNanos = System.nanoTime();
        }
        updateCongestionLocked();
    }

    /**
     * Hands ready entries to consumers until none can take more; returns how many. Consumers of the highest
     * priority that can take the entry get it, round-robin among equals; a single-active-consumer queue only
     * ever delivers to its first consumer.
     */
    private int deliverReadyLocked() {
        int count = settings.singleActiveConsumer() ? Math.min(1, consumers.size()) : consumers.size();
        int delivered = 0;
        while (count > 0 && !deleted) {
            QueueEntry entry = peekNext();
            if (entry == null) {
                return delivered;
            }
            QueueConsumer taker = offer(entry, count);
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

    /** Offers the entry to the first {@code count} consumers, priority group by priority group. */
    private QueueConsumer offer(QueueEntry entry, int count) {
        int groupStart = 0;
        while (groupStart < count) {
            int priority = consumers.get(groupStart).priority();
            int groupEnd = groupStart + 1;
            while (groupEnd < count && consumers.get(groupEnd).priority() == priority) {
                groupEnd++;
            }
            int size = groupEnd - groupStart;
            int start = nextConsumer >= groupStart && nextConsumer < groupEnd ? nextConsumer - groupStart : 0;
            for (int i = 0; i < size; i++) {
                int index = groupStart + (start + i) % size;
                QueueConsumer candidate = consumers.get(index);
                if (candidate.tryDeliver(entry)) {
                    nextConsumer = groupStart + (index - groupStart + 1) % size;
                    return candidate;
                }
            }
            groupStart = groupEnd;
        }
        return null;
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
        int backlog = ready.size();
        boolean nearBudget = paging != null && paging.nearBudget();
        if (!congested) {
            congested = (backlog > CONGESTED_ABOVE || nearBudget && backlog > CONGESTED_NEAR_BUDGET_ABOVE)
                    && !consumers.isEmpty() && !deleted;
        } else if (backlog < (nearBudget ? UNCONGESTED_NEAR_BUDGET_BELOW : UNCONGESTED_BELOW)
                || consumers.isEmpty() || deleted) {
            congested = false;
            if (uncongestedListeners != null) {
                List<Runnable> listeners = uncongestedListeners;
                uncongestedListeners = null;
                listeners.forEach(Runnable::run);
            }
        }
    }

    // ---------------------------------------------------------------- expiry and dead-lettering

    /** The next entry to deliver, after dropping expired ones from the head (RabbitMQ's message TTL). */
    private QueueEntry peekNext() {
        long now = 0;
        while (true) {
            QueueEntry next = ready.peek();
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
            dropLocked(next, DeadLetter.EXPIRED);
        }
    }

    /** Arms a timer for the head's expiry, so expired messages go (or are dead-lettered) without consumers. */
    private void scheduleExpiryLocked() {
        QueueEntry head = ready.peek();
        if (head == null || head.expiresAt() == Message.NEVER || deleted) {
            return;
        }
        long at = head.expiresAt();
        if (expiryTimerAt != 0 && expiryTimerAt <= at) {
            return;
        }
        if (expiryTimer != null) {
            expiryTimer.cancel(false);
        }
        expiryTimerAt = at;
        expiryTimer = Timers.schedule(this::expireHead, Math.max(0, at - System.currentTimeMillis()));
    }

    private void expireHead() {
        lock.lock();
        try {
            expiryTimerAt = 0;
            expiryTimer = null;
            peekNext();
            scheduleExpiryLocked();
            updateCongestionLocked();
        } finally {
            lock.unlock();
        }
        flushDeadLetters();
    }

    /** Removes a ready entry for good without delivering it, dead-lettering it if the queue says so. */
    private void dropLocked(QueueEntry entry, String reason) {
        if (settings.deadLetters()) {
            deadLetterLocked(entry.message(), reason);
        }
        if (entry.stored()) {
            index.removed(entry.position());
        }
        leaveForGood(entry);
    }

    private void deadLetterLocked(Message message, String reason) {
        deadLetters.add(DeadLetter.of(message, this, reason, settings.deadLetterExchange(),
                settings.deadLetterRoutingKey(), vhost.propertiesCodec()));
    }

    /** Republishes the dead letters collected under the lock; call after releasing it. */
    private void flushDeadLetters() {
        Message deadLetter;
        while ((deadLetter = deadLetters.poll()) != null) {
            vhost.deadLetter(deadLetter);
        }
    }

    private QueueEntry pollNext() {
        QueueEntry next = ready.poll();
        if (next != null) {
            Message inMemory = next.messageIfLoaded();
            if (inMemory != null && !next.redelivered()) {
                heldOnHeap(-inMemory.bodySize());
            }
        }
        return next;
    }

    // ---------------------------------------------------------------- x-expires

    /**
     * x-expires: checks when the queue may next have gone unused for long enough, and deletes it then. A check
     * scheduled for an expiry a policy has since changed stops; the change schedules its own.
     */
    private void scheduleExpiryCheck() {
        long expires = settings.expires();
        if (expires > 0) {
            Timers.schedule(() -> checkUnused(expires), expires);
        }
    }

    private void checkUnused(long expires) {
        long idleFor;
        lock.lock();
        try {
            if (deleted || settings.expires() != expires) {
                return;
            }
            idleFor = consumers.isEmpty() ? System.currentTimeMillis() - lastUsedMillis : 0;
        } finally {
            lock.unlock();
        }
        if (idleFor >= expires) {
            vhost.deleteExpiredQueue(this);
        } else {
            Timers.schedule(() -> checkUnused(expires), expires - idleFor);
        }
    }

    // ---------------------------------------------------------------- purge, counts, deletion

    /** Drops every ready message; returns how many. Unacked ones are not touched (as in RabbitMQ). */
    public int purge() {
        lock.lock();
        try {
            int count = ready.size();
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
        for (QueueEntry entry : ready.all()) {
            if (entry.stored()) {
                positions.add(entry.position());
            }
        }
        return positions;
    }

    /** Forgets every ready entry, releasing its store reference. */
    private void dropReady() {
        leaveForGood(ready.clear());
        heldOnHeap(-readyBytesInMemory);
    }

    private void leaveForGood(Collection<QueueEntry> entries) {
        for (QueueEntry entry : entries) {
            leaveForGood(entry);
        }
    }

    /** Ready messages (not counting unacked ones), as queue.declare-ok reports. */
    public int messageCount() {
        lock.lock();
        try {
            return ready.size();
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
            if (expiryTimer != null) {
                expiryTimer.cancel(false);
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
