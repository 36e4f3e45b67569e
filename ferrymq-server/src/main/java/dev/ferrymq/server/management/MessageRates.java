package dev.ferrymq.server.management;

import dev.ferrymq.broker.Broker;
import dev.ferrymq.broker.MessageCounters;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.VirtualHost;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Turns the broker's monotonic message counters into per-second rates: {@link #sample()} (called every second)
 * records the broker totals and every queue's counters; a rate is the change over the last
 * {@value #WINDOW_SAMPLES} samples, as RabbitMQ's management rates average over a few seconds. Thread-safe:
 * sampling and reading synchronize on this object (cheap: a handful of longs per queue).
 */
final class MessageRates {
    static final int WINDOW_SAMPLES = 5;

    /** Counter positions in a sample. */
    enum Counter { PUBLISHED, DELIVERED, REDELIVERED, ACKED, CONFIRMED, UNROUTABLE }

    private record Sample(long nanos, long[] values) {
    }

    private final Broker broker;
    private final ArrayDeque<Sample> brokerSamples = new ArrayDeque<>();
    private final Map<Queue, ArrayDeque<Sample>> queueSamples = new IdentityHashMap<>();

    MessageRates(Broker broker) {
        this.broker = broker;
    }

    synchronized void sample() {
        long now = System.nanoTime();
        add(brokerSamples, new Sample(now, values(broker.counters())));
        Set<Queue> live = Collections.newSetFromMap(new IdentityHashMap<>());
        for (VirtualHost vhost : broker.virtualHosts()) {
            for (Queue queue : vhost.queues()) {
                live.add(queue);
                add(queueSamples.computeIfAbsent(queue, q -> new ArrayDeque<>()), new Sample(now,
                        values(queue.counters())));
            }
        }
        queueSamples.keySet().retainAll(live);
    }

    private static void add(ArrayDeque<Sample> samples, Sample sample) {
        samples.addLast(sample);
        while (samples.size() > WINDOW_SAMPLES + 1) {
            samples.removeFirst();
        }
    }

    static long[] values(MessageCounters c) {
        return new long[] {c.published.sum(), c.delivered.sum(), c.redelivered.sum(), c.acked.sum(),
                c.confirmed.sum(), c.unroutable.sum()};
    }

    /** Broker-wide rate of a counter, per second (0 until two samples exist). */
    synchronized double brokerRate(Counter counter) {
        return rate(brokerSamples, counter);
    }

    synchronized double queueRate(Queue queue, Counter counter) {
        ArrayDeque<Sample> samples = queueSamples.get(queue);
        return samples == null ? 0 : rate(samples, counter);
    }

    private static double rate(ArrayDeque<Sample> samples, Counter counter) {
        if (samples.size() < 2) {
            return 0;
        }
        Sample first = samples.peekFirst();
        Sample last = samples.peekLast();
        double seconds = (last.nanos() - first.nanos()) / 1e9;
        int i = counter.ordinal();
        return seconds <= 0 ? 0 : (last.values()[i] - first.values()[i]) / seconds;
    }
}
