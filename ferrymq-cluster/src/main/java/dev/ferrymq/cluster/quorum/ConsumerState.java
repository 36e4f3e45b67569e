package dev.ferrymq.cluster.quorum;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/**
 * One consumer's replicated state: its credit settings and the messages checked out to it (delivered, not yet
 * settled), keyed by message id so that returning "everything it holds" keeps the original queue order.
 * Not thread-safe: owned by {@link QuorumQueueState}.
 */
final class ConsumerState {

    enum Status {
        /** Receives messages while it has credit. */
        ACTIVE,
        /** Single active consumer mode: registered, waiting for the active one to go. */
        WAITING,
        /** basic.cancel'ed: no new messages; kept until what it holds is settled or returned. */
        CANCELLED
    }

    private final ConsumerId id;
    private int prefetch;
    private int priority;
    private final boolean exclusive;
    private Status status;
    /** The queue's delivery counter at this consumer's last delivery: the least recently served goes first. */
    private long lastServed;
    private final TreeMap<Long, QueueMessage> checkedOut = new TreeMap<>();

    ConsumerState(ConsumerId id, int prefetch, int priority, boolean exclusive, Status status, long lastServed) {
        this.id = id;
        this.prefetch = prefetch;
        this.priority = priority;
        this.exclusive = exclusive;
        this.status = status;
        this.lastServed = lastServed;
    }

    ConsumerId id() {
        return id;
    }

    int prefetch() {
        return prefetch;
    }

    int priority() {
        return priority;
    }

    boolean exclusive() {
        return exclusive;
    }

    Status status() {
        return status;
    }

    long lastServed() {
        return lastServed;
    }

    void update(int newPrefetch, int newPriority) {
        prefetch = newPrefetch;
        priority = newPriority;
    }

    void setPrefetch(int newPrefetch) {
        prefetch = newPrefetch;
    }

    void setStatus(Status newStatus) {
        status = newStatus;
    }

    /** Prefetch 0 means unlimited, as for basic.qos. */
    boolean hasCredit() {
        return status == Status.ACTIVE && (prefetch == 0 || checkedOut.size() < prefetch);
    }

    void checkOut(QueueMessage message, long serveCounter) {
        checkedOut.put(message.id(), message);
        lastServed = serveCounter;
    }

    /** Takes back a message this consumer holds, or null if it does not hold that id. */
    QueueMessage release(long messageId) {
        return checkedOut.remove(messageId);
    }

    /** Takes back everything, lowest id (oldest) first. */
    List<QueueMessage> releaseAll() {
        List<QueueMessage> all = new ArrayList<>(checkedOut.values());
        checkedOut.clear();
        return all;
    }

    int checkedOutCount() {
        return checkedOut.size();
    }

    Collection<QueueMessage> checkedOut() {
        return checkedOut.values();
    }
}
