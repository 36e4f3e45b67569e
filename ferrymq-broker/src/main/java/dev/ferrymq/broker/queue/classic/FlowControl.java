package dev.ferrymq.broker.queue.classic;

import java.util.ArrayList;
import java.util.List;

/**
 * A queue's congestion state for publisher flow control: with a backlog above {@link #CONGESTED_ABOVE} while
 * consumers are taking messages, publishers are asked to pause; below {@link #UNCONGESTED_BELOW} they resume and
 * the waiting listeners run. Updated under the owning queue's lock; {@link #congested()} may be read without it.
 */
final class FlowControl {
    static final int CONGESTED_ABOVE = 2_000;
    static final int UNCONGESTED_BELOW = 1_000;
    /**
     * The same thresholds while ready bodies on the heap, across all queues, are near the paging budget: a
     * hundred queues 2,000 deep would page out (and trip the memory alarm) although each keeps up on its own.
     */
    static final int CONGESTED_NEAR_BUDGET_ABOVE = 200;
    static final int UNCONGESTED_NEAR_BUDGET_BELOW = 100;
    /**
     * Consumers that took nothing for this long are stalled, not slow: publishers are no longer paused. Generous,
     * because with many queues on two busy cores one queue's consumer may take a batch only every few hundred ms.
     */
    static final long STALLED_AFTER_NANOS = 2_000_000_000L;

    private volatile boolean congested;
    private volatile long lastDeliveryNanos;
    private List<Runnable> uncongestedListeners;

    /**
     * Whether publishers should pause: consumers are taking messages but falling behind. Consumers that take
     * nothing at all (stalled, or none) never pause publishers; that backlog is for memory limits to handle.
     */
    boolean congested() {
        return congested && System.nanoTime() - lastDeliveryNanos < STALLED_AFTER_NANOS;
    }

    void delivered() {
        lastDeliveryNanos = System.nanoTime();
    }

    /** Registers {@code listener} if congested; false when not congested (the caller runs it at once). */
    boolean addListener(Runnable listener) {
        if (!congested) {
            return false;
        }
        if (uncongestedListeners == null) {
            uncongestedListeners = new ArrayList<>(2);
        }
        uncongestedListeners.add(listener);
        return true;
    }

    /** Re-evaluates: {@code consuming} is false without consumers or once the queue is deleted. */
    void update(int backlog, boolean nearBudget, boolean consuming) {
        if (!congested) {
            congested = (backlog > CONGESTED_ABOVE || nearBudget && backlog > CONGESTED_NEAR_BUDGET_ABOVE)
                    && consuming;
        } else if (backlog < (nearBudget ? UNCONGESTED_NEAR_BUDGET_BELOW : UNCONGESTED_BELOW) || !consuming) {
            congested = false;
            if (uncongestedListeners != null) {
                List<Runnable> listeners = uncongestedListeners;
                uncongestedListeners = null;
                listeners.forEach(Runnable::run);
            }
        }
    }
}
