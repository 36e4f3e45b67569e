package dev.ferrymq.broker.queue.classic;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A queue's ready entries, next to deliver first: higher priority first (priority queues only; a plain queue has
 * one level), then publish order. Requeued entries go back to their original place among them. Guarded by the
 * owning queue's lock.
 */
final class ReadyEntries {
    /** Within a level, requeued entries were delivered from its head, so they precede everything still queued. */
    private static final Comparator<ClassicEntry> ORDER =
            Comparator.comparingInt(ClassicEntry::priority).reversed().thenComparingLong(ClassicEntry::seq);

    private final ArrayDeque<ClassicEntry>[] levels;
    private final PriorityQueue<ClassicEntry> requeued = new PriorityQueue<>(ORDER);
    private int size;
    private long bodyBytes;

    @SuppressWarnings("unchecked")
    ReadyEntries(int maxPriority) {
        levels = new ArrayDeque[maxPriority + 1];
        for (int i = 0; i < levels.length; i++) {
            levels[i] = new ArrayDeque<>();
        }
    }

    /** Clamps a message's priority to this queue's levels, as RabbitMQ does. */
    int levelFor(int priority) {
        return Math.max(0, Math.min(priority, levels.length - 1));
    }

    void add(ClassicEntry entry) {
        levels[entry.priority()].addLast(entry);
        added(entry);
    }

    void requeue(ClassicEntry entry) {
        requeued.add(entry);
        added(entry);
    }

    private void added(ClassicEntry entry) {
        size++;
        bodyBytes += entry.bodySize();
    }

    ClassicEntry peek() {
        ClassicEntry fresh = peekFresh();
        ClassicEntry back = requeued.peek();
        if (back == null) {
            return fresh;
        }
        return fresh == null || ORDER.compare(back, fresh) < 0 ? back : fresh;
    }

    ClassicEntry poll() {
        ClassicEntry next = peek();
        if (next != null) {
            if (next == requeued.peek()) {
                requeued.poll();
            } else {
                levels[next.priority()].pollFirst();
            }
            size--;
            bodyBytes -= next.bodySize();
        }
        return next;
    }

    private ClassicEntry peekFresh() {
        for (int i = levels.length - 1; i >= 0; i--) {
            ClassicEntry first = levels[i].peekFirst();
            if (first != null) {
                return first;
            }
        }
        return null;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Sum of the body sizes of the ready entries whose size is known (x-max-length-bytes). */
    long bodyBytes() {
        return bodyBytes;
    }

    /** Removes and returns every entry, in no particular order. */
    List<ClassicEntry> clear() {
        List<ClassicEntry> all = new ArrayList<>(size);
        for (ArrayDeque<ClassicEntry> level : levels) {
            all.addAll(level);
            level.clear();
        }
        all.addAll(requeued);
        requeued.clear();
        size = 0;
        bodyBytes = 0;
        return all;
    }

    /** Every entry, in no particular order, without removing them. */
    List<ClassicEntry> all() {
        List<ClassicEntry> all = new ArrayList<>(size);
        for (ArrayDeque<ClassicEntry> level : levels) {
            all.addAll(level);
        }
        all.addAll(requeued);
        return all;
    }
}
