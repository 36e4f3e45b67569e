package dev.ferrymq.broker.queue.classic;

import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.PublishBatch;
import dev.ferrymq.broker.dedup.QueueDeduplication;
import dev.ferrymq.broker.queue.AbstractQueue;
import dev.ferrymq.broker.queue.DeadLetter;
import dev.ferrymq.broker.queue.DeadLetterSink;
import dev.ferrymq.broker.queue.QueueArguments;
import dev.ferrymq.broker.queue.QueueConsumer;
import dev.ferrymq.broker.queue.QueueDeclaration;
import dev.ferrymq.broker.queue.QueueEntry;
import dev.ferrymq.broker.queue.QueueHost;
import dev.ferrymq.broker.queue.QueuePolicies;
import dev.ferrymq.broker.queue.QueueType;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongPredicate;
import java.util.function.Supplier;

/**
 * The classic queue. It coordinates, under one lock, its parts: the messages and where they are kept
 * ({@link Storage}), the consumers ({@link Consumers}), message and queue expiry ({@link Expiry}), publisher flow
 * control ({@link FlowControl}), messages that leave unconsumed, by expiry or length limits ({@link Drops}), and dead
 * letters ({@link DeadLetterOutbox}).
 * Applies the queue arguments of {@link QueueArguments} merged with the policies that apply.
 *
 * <p>Thread-safety: the parts are guarded by {@code lock}. The queue never calls into its virtual host while
 * holding the lock (the lock order is virtual host, then queue): dead letters are collected under it and
 * republished after, and so is any reading of message bodies from disk for no-ack consumers.
 */
final class ClassicQueue extends AbstractQueue {
    private final ReentrantLock lock = new ReentrantLock();
    private final Storage storage;
    private final Consumers consumers = new Consumers();
    private final Expiry expiry = new Expiry(Timers::schedule);
    private final FlowControl flow = new FlowControl();
    private final DeadLetterOutbox deadLetters = new DeadLetterOutbox();
    private final Drops drops;
    private int unacked;
    private boolean deleted;

    ClassicQueue(QueueHost host, QueueDeclaration declaration) {
        super(host, declaration);
        this.storage = new Storage(this, settings.maxPriority(), vhost.persistence(), durable() && !exclusive(),
                QueueDeduplication.forQueue(declaration.arguments(), vhost.propertiesCodec()));
        this.drops = new Drops(storage, deadLetters, name, vhost.propertiesCodec());
        scheduleUnusedCheck();
    }

    @Override
    public QueueType type() {
        return ClassicQueueType.INSTANCE;
    }

    @Override
    public boolean keepsPersistentMessages() {
        return storage.keepsPersistentMessages();
    }

    /**
     * Applies the policies now in force in the vhost, as RabbitMQ does: length limits at once (a drop-head queue
     * over its new limit drops or dead-letters from the head), dead-lettering from the next dead letter on,
     * message TTL to messages enqueued from now on, queue expiry from now on.
     */
    @Override
    public void applyPolicies(QueuePolicies applicable) {
        lock.lock();
        try {
            if (deleted) {
                return;
            }
            long previousExpires = settings.expires();
            usePolicies(applicable);
            if (settings.overflow() == QueueArguments.Overflow.DROP_HEAD) {
                drops.enforceLengthLimit(settings, deleted);
            }
            if (settings.expires() != previousExpires) {
                scheduleUnusedCheck();
            }
            updateCongestionLocked();
        } finally {
            lock.unlock();
        }
        deadLetters.flush(host::deadLetter);
    }

    // ---------------------------------------------------------------- publish and recover

    @Override
    public boolean publish(Message message, long storedAt, PublishBatch batch, DeadLetterSink deadLetterSink) {
        boolean refused = false;
        boolean readBodies = false;
        lock.lock();
        try {
            if (deleted || !drops.admit(settings, message)) {
                refused = !deleted;
                storage.refused(storedAt);
            } else if (storage.isDuplicate(message)) {
                storage.refused(storedAt); // dropped, not refused: the publisher's confirm is an ack
            } else {
                boolean consumersWaiting = !consumers.isEmpty() && storage.ready().isEmpty();
                ClassicEntry entry = storage.add(message, storedAt, batch, settings, consumersWaiting);
                drops.enforceLengthLimit(settings, deleted);
                readBodies = dispatchLocked();
                if (entry.expiresAt() != Message.NEVER) {
                    scheduleHeadExpiryLocked();
                }
            }
        } finally {
            lock.unlock();
        }
        afterUnlock(readBodies, deadLetterSink);
        return !refused;
    }

    @Override
    public long recover(LongPredicate inStore) throws IOException {
        lock.lock();
        try {
            int recovered = storage.recover(inStore);
            scheduleHeadExpiryLocked();
            return recovered;
        } finally {
            lock.unlock();
        }
    }

    /** Reads a message that is not in memory back from the store or the page file. */
    Message load(ClassicEntry entry) {
        return storage.load(entry);
    }

    // ---------------------------------------------------------------- get, settle, reject, requeue

    @Override
    public QueueEntry get(boolean noAck) {
        ClassicEntry entry;
        boolean readOffLock = false;
        lock.lock();
        try {
            expiry.used();
            entry = drops.peekUnexpired(settings, deleted) == null ? null : storage.poll();
            updateCongestionLocked();
            if (entry != null) {
                if (!noAck) {
                    unacked++;
                } else if (entry.messageIfLoaded() != null) {
                    storage.removed(entry, deleted);
                } else {
                    // Settled now, but its disk reference is kept until its body is read, after the lock.
                    storage.indexRemoved(entry, deleted);
                    readOffLock = true;
                }
            }
        } finally {
            lock.unlock();
        }
        if (readOffLock) {
            try {
                entry.loadMessage();
            } finally {
                storage.release(entry);
            }
        }
        deadLetters.flush(host::deadLetter);
        return entry;
    }

    @Override
    public void settle(QueueEntry entry) {
        lock.lock();
        try {
            settleLocked((ClassicEntry) entry);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void settleAll(List<QueueEntry> entries) {
        lock.lock();
        try {
            if (!deleted) {
                unacked -= entries.size();
            }
            storage.removedAll(entries, deleted);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void reject(QueueEntry entry) {
        lock.lock();
        try {
            if (settings.deadLetters() && !deleted) {
                drops.deadLetter(entry.message(), DeadLetter.REJECTED, settings);
            }
            settleLocked((ClassicEntry) entry);
        } finally {
            lock.unlock();
        }
        deadLetters.flush(host::deadLetter);
    }

    private void settleLocked(ClassicEntry entry) {
        if (!deleted) {
            unacked--;
        }
        storage.removed(entry, deleted);
    }

    @Override
    public void requeue(List<QueueEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        boolean readBodies;
        lock.lock();
        try {
            if (deleted) {
                entries.forEach(entry -> storage.release((ClassicEntry) entry)); // nobody settles them any more
                return;
            }
            for (QueueEntry entry : entries) {
                storage.requeue((ClassicEntry) entry);
                unacked--;
            }
            readBodies = dispatchLocked();
            scheduleHeadExpiryLocked();
        } finally {
            lock.unlock();
        }
        afterUnlock(readBodies, host::deadLetter);
    }

    // ---------------------------------------------------------------- consumers and dispatch

    @Override
    public void addConsumer(QueueConsumer consumer, boolean exclusiveUse) {
        boolean readBodies;
        lock.lock();
        try {
            if (deleted) {
                throw BrokerException.notFound("no queue '" + name + "' in vhost '" + vhost.name() + "'");
            }
            consumers.add(consumer, exclusiveUse, toString());
            expiry.used();
            readBodies = dispatchLocked();
        } finally {
            lock.unlock();
        }
        afterUnlock(readBodies, host::deadLetter);
    }

    @Override
    public void removeConsumer(QueueConsumer consumer) {
        boolean deleteNow;
        boolean readBodies = false;
        lock.lock();
        try {
            if (!consumers.remove(consumer)) {
                return;
            }
            expiry.used();
            deleteNow = autoDelete() && consumers.hadConsumers() && consumers.isEmpty() && !deleted;
            if (settings.singleActiveConsumer()) {
                readBodies = dispatchLocked(); // the next consumer becomes the active one
            }
            updateCongestionLocked();
        } finally {
            lock.unlock();
        }
        afterUnlock(readBodies, host::deadLetter);
        if (deleteNow) {
            host.deleteUnused(this);
        }
    }

    @Override
    public QueueConsumer activeConsumer() {
        return locked(consumers::first);
    }

    @Override
    public void touch() {
        lock.lock();
        try {
            expiry.used();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void dispatch() {
        boolean readBodies;
        lock.lock();
        try {
            readBodies = dispatchLocked();
        } finally {
            lock.unlock();
        }
        afterUnlock(readBodies, host::deadLetter);
    }

    /**
     * Hands ready entries to consumers until none can take more. Returns true when it took out a run of entries
     * whose bodies are on disk for a no-ack consumer: the caller reads them after the lock ({@link #afterUnlock}).
     */
    private boolean dispatchLocked() {
        boolean readBodies = false;
        boolean delivered = false;
        boolean singleActive = settings.singleActiveConsumer();
        while (!deleted && !consumers.isEmpty()) {
            ClassicEntry entry = drops.peekUnexpired(settings, deleted);
            if (entry == null) {
                break;
            }
            if (entry.messageIfLoaded() == null && consumers.anyNoAck()) {
                readBodies = storage.takeRunToRead(); // false: a run is out already, its reader dispatches next
                break;
            }
            QueueConsumer taker = consumers.offer(entry, singleActive);
            if (taker == null) {
                break;
            }
            storage.poll();
            delivered = true;
            if (taker.noAck()) {
                storage.removed(entry, false); // the consumer took the message with it
            } else {
                unacked++;
            }
        }
        if (delivered) {
            flow.delivered();
        }
        updateCongestionLocked();
        return readBodies;
    }

    /**
     * What waits for the lock to be released: reading the run of bodies {@link #dispatchLocked} took out, then
     * putting it back and dispatching again (which may take out the next run); then republishing dead letters.
     */
    private void afterUnlock(boolean readBodies, DeadLetterSink deadLetterSink) {
        while (readBodies) {
            RuntimeException failure = null;
            for (ClassicEntry entry : storage.runToRead()) {
                try {
                    entry.loadMessage();
                } catch (RuntimeException e) {
                    failure = e;
                    break;
                }
            }
            lock.lock();
            try {
                storage.putBackRun(deleted);
                scheduleHeadExpiryLocked();
                readBodies = failure == null && dispatchLocked();
            } finally {
                lock.unlock();
            }
            if (failure != null) {
                deadLetters.flush(deadLetterSink);
                throw failure; // as when the read happened under the lock: the caller hears of it
            }
        }
        deadLetters.flush(deadLetterSink);
    }

    // ---------------------------------------------------------------- flow control

    @Override
    public boolean congested() {
        return flow.congested();
    }

    @Override
    public void whenUncongested(Runnable listener) {
        lock.lock();
        try {
            if (flow.addListener(listener)) {
                return;
            }
        } finally {
            lock.unlock();
        }
        listener.run();
    }

    private void updateCongestionLocked() {
        flow.update(storage.ready().size(), storage.nearBudget(), !consumers.isEmpty() && !deleted);
    }

    // ---------------------------------------------------------------- expiry

    /** Arms a timer for the head's expiry, so expired messages go (or are dead-lettered) without consumers. */
    private void scheduleHeadExpiryLocked() {
        ClassicEntry head = storage.peek();
        if (head != null && !deleted) {
            expiry.scheduleHead(head.expiresAt(), this::expireHead);
        }
    }

    private void expireHead() {
        lock.lock();
        try {
            expiry.headTimerFired();
            drops.peekUnexpired(settings, deleted); // drops (or dead-letters) the expired head entries
            scheduleHeadExpiryLocked();
            updateCongestionLocked();
        } finally {
            lock.unlock();
        }
        deadLetters.flush(host::deadLetter);
    }

    /** x-expires: from now on, the queue is deleted once unused for that long (a policy change restarts it). */
    private void scheduleUnusedCheck() {
        expiry.watchUnused(settings.expires(), this::unusedFor, () -> host.deleteUnused(this));
    }

    /** How long the queue has been unused, or -1 when a check for {@code expires} must stop. */
    private long unusedFor(long expires) {
        lock.lock();
        try {
            return deleted || settings.expires() != expires ? -1 : expiry.unusedFor(!consumers.isEmpty());
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- purge, counts, deletion

    @Override
    public int purge() {
        lock.lock();
        try {
            int count = storage.purge();
            updateCongestionLocked();
            return count;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<QueueConsumer> delete() {
        lock.lock();
        try {
            deleted = true;
            expiry.cancel();
            storage.delete();
            List<QueueConsumer> cancelled = consumers.removeAll();
            updateCongestionLocked();
            return cancelled;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int messageCount() { // also per basic.get-ok: no lambda here
        lock.lock();
        try {
            return storage.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int unackedCount() {
        return locked(() -> unacked);
    }

    @Override
    public int consumerCount() {
        return locked(consumers::size);
    }

    @Override
    public boolean isDeleted() {
        return locked(() -> deleted);
    }

    /** Reads state under the lock (management and declare paths, not the message path). */
    private <T> T locked(Supplier<T> read) {
        lock.lock();
        try {
            return read.get();
        } finally {
            lock.unlock();
        }
    }
}
