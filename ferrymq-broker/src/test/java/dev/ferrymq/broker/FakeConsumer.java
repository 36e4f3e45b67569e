package dev.ferrymq.broker;

import dev.ferrymq.broker.queue.QueueConsumer;
import dev.ferrymq.broker.queue.QueueEntry;
import dev.ferrymq.broker.queue.Queue;
import java.util.ArrayList;
import java.util.List;

/** A test consumer that records what it is given and can be told to refuse (no credit). */
public final class FakeConsumer implements QueueConsumer {
    private final String tag;
    private final boolean noAck;
    private volatile boolean refusing;
    private int credit = Integer.MAX_VALUE;
    public final List<QueueEntry> delivered = new ArrayList<>();
    public final List<Queue> cancelledBy = new ArrayList<>();

    public FakeConsumer(String tag, boolean noAck) {
        this.tag = tag;
        this.noAck = noAck;
    }

    public FakeConsumer(String tag) {
        this(tag, false);
    }

    public void refuse() {
        refusing = true;
    }

    public void accept() {
        refusing = false;
    }

    /** Accept at most {@code n} more deliveries, then refuse. */
    public void credit(int n) {
        refusing = false;
        credit = n;
    }

    public List<String> bodies() {
        List<String> result = new ArrayList<>();
        for (QueueEntry e : delivered) {
            result.add(new String(e.message().body()));
        }
        return result;
    }

    @Override
    public String tag() {
        return tag;
    }

    @Override
    public boolean noAck() {
        return noAck;
    }

    @Override
    public synchronized boolean tryDeliver(QueueEntry entry) {
        if (refusing || credit <= 0) {
            return false;
        }
        credit--;
        delivered.add(entry);
        return true;
    }

    @Override
    public synchronized void cancelledByServer(Queue queue) {
        cancelledBy.add(queue);
    }
}
