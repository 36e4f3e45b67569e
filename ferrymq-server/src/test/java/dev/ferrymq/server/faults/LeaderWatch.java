package dev.ferrymq.server.faults;

import java.util.Optional;

/**
 * Polls the queue's leader (as most answering nodes name it, {@link FaultCluster#queueLeader}) twice a second and
 * records each change in the {@link History}. A poll that finds no leader is not a change: the next leader named is
 * compared with the last one seen. Its own daemon thread.
 */
final class LeaderWatch implements AutoCloseable {
    private final Thread thread;
    private volatile boolean running = true;

    LeaderWatch(FaultCluster cluster, String queue, History history) {
        thread = new Thread(() -> {
            String last = cluster.queueLeader(queue).orElse("none");
            history.event("leader of " + queue + ": " + last);
            while (running) {
                Optional<String> now = cluster.queueLeader(queue);
                if (now.isPresent() && !now.get().equals(last)) {
                    history.leaderChanged(last, now.get());
                    last = now.get();
                }
                Publisher.sleep(500);
            }
        }, "faults-leader-watch");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(15_000);
    }
}
