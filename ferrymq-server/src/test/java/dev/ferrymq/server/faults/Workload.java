package dev.ferrymq.server.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The clients of a run: {@link Settings#publishers()} {@link Publisher}s and {@link Settings#consumers()}
 * {@link Consumer}s on their own threads, writing one {@link History}. Publishers stop first; the consumers keep
 * going until every confirmed message has been delivered or the drain timeout passes. Driven by one thread.
 */
final class Workload {
    private final Endpoints endpoints;
    private final String queue;
    private final Settings settings;
    private final History history;
    private final List<Thread> publishers = new ArrayList<>();
    private final List<Thread> consumers = new ArrayList<>();
    private volatile boolean publishing = true;
    private volatile boolean consuming = true;

    /**
     * What the clients do. {@code interval} is each publisher's pace (at most one message per interval), so the
     * harness does not depend on how fast the broker is: a slow broker just leaves more messages unconfirmed
     * within the {@code window}.
     */
    record Settings(int publishers, int consumers, Duration interval, int window, Duration confirmTimeout,
            int bodySize, int prefetch, boolean settleWithTx, Duration stallTimeout) {

        static Settings quorum() {
            return new Settings(2, 2, Duration.ofMillis(50), 10, Duration.ofSeconds(20), 64, 20, false,
                    Duration.ofSeconds(15));
        }
    }

    Workload(Endpoints endpoints, String queue, Settings settings, History history) {
        this.endpoints = endpoints;
        this.queue = queue;
        this.settings = settings;
        this.history = history;
    }

    void start() {
        for (int i = 0; i < settings.consumers(); i++) {
            consumers.add(start("faults-consumer-" + i,
                    new Consumer(i, endpoints, queue, history, settings, () -> consuming)));
        }
        for (int i = 0; i < settings.publishers(); i++) {
            publishers.add(start("faults-publisher-" + i,
                    new Publisher(i, endpoints, queue, history, settings, () -> publishing)));
        }
    }

    /** Stops publishing; waits for the confirms still out (each publisher waits at most its confirm timeout). */
    void stopPublishers() throws InterruptedException {
        publishing = false;
        join(publishers, settings.confirmTimeout().plusSeconds(10));
    }

    /**
     * Lets the consumers run until every confirmed message has been delivered, or {@code timeout}; then stops them.
     * Returns whether everything confirmed was delivered.
     */
    boolean drainAndStop(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long undelivered;
        while ((undelivered = history.confirmedNotDelivered()) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        // a moment for the acks of the last deliveries to go out
        Thread.sleep(500);
        consuming = false;
        join(consumers, Duration.ofSeconds(15));
        history.event(undelivered == 0 ? "drained" : "drain timed out with " + undelivered + " undelivered");
        return undelivered == 0;
    }

    private static Thread start(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void join(List<Thread> threads, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread thread : threads) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.timedJoin(thread, left);
            }
            if (thread.isAlive()) {
                thread.interrupt();
            }
        }
    }
}
