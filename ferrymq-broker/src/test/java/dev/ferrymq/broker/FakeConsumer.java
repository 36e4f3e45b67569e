package dev.ferrymq.broker;

import java.util.ArrayList;
import java.util.List;

/** A test consumer that records what it is given and can be told to refuse (no credit). */
final class FakeConsumer implements QueueConsumer {
    private final String tag;
    private final boolean noAck;
    private volatile boolean refusing;
    private int credit = Integer.MAX_VALUE;
    final List<QueueEntry> delivered = new ArrayList<>();
    final List<Queue> cancelledBy = new ArrayList<>();

    FakeConsumer(String tag, boolean noAck) {
        this.tag = tag;
        this.noAck = noAck;
    }

    FakeConsumer(String tag) {
        this(tag, false);
    }

    void refuse() {
        refusing = true;
    }

    void accept() {
        refusing = false;
    }

    /** Accept at most {@code n} more deliveries, then refuse. */
    void credit(int n) {
        refusing = false;
        credit = n;
    }

    List<String> bodies() {
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
