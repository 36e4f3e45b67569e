package dev.ferrymq.broker.queue.stream;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The streams' one background thread: dispatches to consumers once the group commit made new records readable
 * (never on the syncer's own thread, which must not read files), and runs the periodic retention checks.
 */
final class StreamScheduler {
    static final ScheduledExecutorService EXECUTOR = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ferrymq-streams");
        t.setDaemon(true);
        return t;
    });

    private StreamScheduler() {
    }
}
