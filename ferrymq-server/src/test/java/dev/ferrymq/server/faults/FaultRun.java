package dev.ferrymq.server.faults;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One run of the fault campaign on a fresh cluster: start {@link Config#nodes()} nodes, declare a quorum queue,
 * start the {@link Workload}, and for {@link Config#duration()} alternate healthy phases with faults from the
 * {@link Config#nemesis()} (each fault healed before the next); then heal everything, stop publishing, drain, and
 * {@link Checker check} the history. Every phase is bounded in time.
 */
final class FaultRun {
    static final String QUEUE = "faults-q";

    /**
     * A run's shape. {@code healthy} is each healthy phase, a fault lasts between {@code faultMin} and
     * {@code faultMax} (longer than the 1–2 s election timeout, so a paused leader is replaced).
     */
    record Config(int nodes, String nemesis, Duration duration, Duration healthy, Duration faultMin,
            Duration faultMax, long seed, Workload.Settings workload, Duration drainTimeout) {

        static Config of(int nodes, String nemesis, Duration duration, long seed) {
            return new Config(nodes, nemesis, duration, Duration.ofSeconds(5), Duration.ofSeconds(5),
                    Duration.ofSeconds(10), seed, Workload.Settings.quorum(), Duration.ofSeconds(90));
        }

        String label() {
            return nodes + " nodes, " + nemesis;
        }
    }

    /** What a run found; {@code skipped} names the nemeses this machine could not run (and why). */
    record Result(Config config, Checker.Verdict verdict, int faults, boolean drained, String skipped,
            List<String> events) {

        boolean passed() {
            return verdict.passed() && drained;
        }
    }

    private FaultRun() {
    }

    static Result run(Config config, Path dir) throws Exception {
        Random random = new Random(config.seed());
        List<Nemesis> nemeses = new ArrayList<>(Nemesis.named(config.nemesis()));
        // -Dferrymq.faults.network=false: 127.0.0.1 and no partitions, as on a machine without namespaces
        FaultCluster cluster = FaultCluster.start(dir, config.nodes(),
                !"false".equals(System.getProperty("ferrymq.faults.network")));
        History history = new History(); // its clock starts with a running cluster
        String skipped = "";
        try {
            List<Nemesis> runnable = nemeses.stream().filter(n -> n.canRun(cluster)).toList();
            if (runnable.size() < nemeses.size()) {
                skipped = nemeses.stream().filter(n -> !n.canRun(cluster)).map(Object::toString).toList()
                        + " not run: no network namespaces here (" + cluster.noNetworkReason() + ")";
                history.event(skipped);
            }
            if (runnable.isEmpty()) {
                throw new IllegalStateException("nothing to run for " + config.nemesis() + ": " + skipped);
            }
            history.event("cluster of " + config.nodes() + " on " + (cluster.canPartition()
                    ? "network namespaces" : "127.0.0.1") + ", nemesis " + runnable);
            declareQueue(cluster);
            int faults;
            boolean drained;
            try (LeaderWatch ignored = new LeaderWatch(cluster, QUEUE, history)) {
                Workload workload = new Workload(cluster, QUEUE, config.workload(), history);
                workload.start();
                faults = runNemesis(cluster, runnable, config, random, history);
                cluster.healAll();
                history.event("healed everything");
                awaitLeader(cluster, Duration.ofSeconds(30), history);
                workload.stopPublishers();
                history.event("publishers stopped");
                drained = workload.drainAndStop(config.drainTimeout());
                if (!drained) {
                    recordQueueState(cluster, history);
                }
            }
            history.closeOpenWindows();
            History.Snapshot snapshot = history.snapshot();
            Checker.Verdict verdict = Checker.check(snapshot);
            history.event(verdict.summary());
            return new Result(config, verdict, faults, drained, skipped, history.snapshot().events());
        } finally {
            cluster.close(dir.resolve("logs"));
        }
    }

    /** What each node says of the queue, for a run whose drain timed out: stuck as unacked, or not there? */
    private static void recordQueueState(FaultCluster cluster, History history) {
        for (int i = 0; i < cluster.size(); i++) {
            var shown = cluster.get(i, "queues/%2F/" + QUEUE);
            history.event(cluster.name(i) + " shows " + QUEUE + ": " + (shown == null ? "nothing (404 or no answer)"
                    : "messages " + shown.path("messages").asText() + ", ready " + shown.path("messages_ready").asText()
                    + ", unacked " + shown.path("messages_unacknowledged").asText() + ", consumers "
                    + shown.path("consumers").asText() + ", leader " + shown.path("leader").asText()));
        }
    }

    private static int runNemesis(FaultCluster cluster, List<Nemesis> nemeses, Config config, Random random,
            History history) throws Exception {
        long end = System.nanoTime() + config.duration().toNanos();
        int faults = 0;
        while (sleepUntil(end, config.healthy())) {
            Nemesis nemesis = nemeses.get(random.nextInt(nemeses.size()));
            history.event(nemesis.inject(cluster, QUEUE, random));
            faults++;
            long span = config.faultMax().toMillis() - config.faultMin().toMillis();
            sleepUntil(end, Duration.ofMillis(config.faultMin().toMillis() + (span > 0 ? random.nextLong(span) : 0)));
            nemesis.heal(cluster);
            history.event("healed " + nemesis);
        }
        return faults;
    }

    /** Sleeps for {@code phase} but not past {@code end}; false if {@code end} came first. */
    private static boolean sleepUntil(long end, Duration phase) throws InterruptedException {
        long left = end - System.nanoTime();
        Thread.sleep(Math.max(0, Math.min(left, phase.toNanos())) / 1_000_000);
        return phase.toNanos() < left;
    }

    private static void declareQueue(FaultCluster cluster) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try (var connection = cluster.factory(0).newConnection("faults-declare")) {
                connection.createChannel().queueDeclare(QUEUE, true, false, false, Map.of("x-queue-type", "quorum"));
                last = null;
                break;
            } catch (Exception e) {
                last = e; // no metadata leader yet
                Thread.sleep(500);
            }
        }
        if (last != null) {
            throw new IllegalStateException("could not declare " + QUEUE, last);
        }
        awaitLeader(cluster, Duration.ofSeconds(60), null);
        for (int i = 0; i < cluster.size(); i++) {
            while (cluster.get(i, "queues/%2F/" + QUEUE) == null) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(QUEUE + " not on " + cluster.name(i));
                }
                Thread.sleep(200);
            }
        }
    }

    private static void awaitLeader(FaultCluster cluster, Duration timeout, History history)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (cluster.queueLeader(QUEUE).isEmpty()) {
            if (System.nanoTime() > deadline) {
                if (history != null) {
                    history.event("no leader for " + QUEUE + " within " + timeout.toSeconds() + " s of healing");
                    return;
                }
                throw new IllegalStateException("no leader for " + QUEUE + " within " + timeout);
            }
            Thread.sleep(250);
        }
    }
}
