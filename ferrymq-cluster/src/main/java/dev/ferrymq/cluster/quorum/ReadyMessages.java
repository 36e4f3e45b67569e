package dev.ferrymq.cluster.quorum;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Messages waiting for a consumer, in the order rabbit_fifo serves them: returned (requeued) messages first, in
 * the order they came back, then new messages in two lanes. The high lane (priority above 4) is preferred, but
 * every third pick favours the oldest message of both lanes so normal messages are not starved
 * ({@code rabbit_fifo_q}, weight 2). Message ids grow with log order, so "oldest" is "lowest id".
 * Not thread-safe: owned by {@link QuorumQueueState}.
 */
final class ReadyMessages {
    private static final int WEIGHT = 2;

    private final ArrayDeque<QueueMessage> returned = new ArrayDeque<>();
    private final ArrayDeque<QueueMessage> high = new ArrayDeque<>();
    private final ArrayDeque<QueueMessage> normal = new ArrayDeque<>();
    private int dequeueCounter;
    private long bytes;

    void add(QueueMessage message) {
        (message.isHighPriority() ? high : normal).addLast(message);
        bytes += message.size();
    }

    void addReturned(QueueMessage message) {
        returned.addLast(message);
        bytes += message.size();
    }

    /** The message {@link #poll()} would take, or null. */
    QueueMessage peek() {
        Deque<QueueMessage> lane = nextLane();
        return lane == null ? null : lane.peekFirst();
    }

    QueueMessage poll() {
        Deque<QueueMessage> lane = nextLane();
        if (lane == null) {
            return null;
        }
        if (lane != returned) {
            dequeueCounter = dequeueCounter == WEIGHT ? 0 : dequeueCounter + 1;
        }
        QueueMessage message = lane.pollFirst();
        bytes -= message.size();
        return message;
    }

    private Deque<QueueMessage> nextLane() {
        if (!returned.isEmpty()) {
            return returned;
        }
        if (!high.isEmpty() && !normal.isEmpty() && dequeueCounter == WEIGHT) {
            return high.peekFirst().id() < normal.peekFirst().id() ? high : normal;
        }
        if (!high.isEmpty()) {
            return high;
        }
        return normal.isEmpty() ? null : normal;
    }

    int size() {
        return returned.size() + high.size() + normal.size();
    }

    boolean isEmpty() {
        return size() == 0;
    }

    long bytes() {
        return bytes;
    }

    int purge() {
        int count = size();
        returned.clear();
        high.clear();
        normal.clear();
        bytes = 0;
        return count;
    }

    // For SnapshotCodec.
    ArrayDeque<QueueMessage> returnedLane() {
        return returned;
    }

    ArrayDeque<QueueMessage> highLane() {
        return high;
    }

    ArrayDeque<QueueMessage> normalLane() {
        return normal;
    }

    int dequeueCounter() {
        return dequeueCounter;
    }

    void restore(int counter) {
        dequeueCounter = counter;
        bytes = 0;
        returned.forEach(m -> bytes += m.size());
        high.forEach(m -> bytes += m.size());
        normal.forEach(m -> bytes += m.size());
    }
}
