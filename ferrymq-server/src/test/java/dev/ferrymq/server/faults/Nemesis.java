package dev.ferrymq.server.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One kind of fault: {@link #inject} applies it (and says what it did), {@link #heal} undoes it. A nemesis keeps
 * what it needs to heal between the two calls; both run on the nemesis thread.
 */
interface Nemesis {
    /** Applies the fault to {@code cluster}; {@code queue} is the queue under test (whose leader may be the target). */
    String inject(FaultCluster cluster, String queue, Random random) throws Exception;

    void heal(FaultCluster cluster) throws Exception;

    /** Whether it can run on {@code cluster} (partitions need the {@link NodeNetwork}). */
    default boolean canRun(FaultCluster cluster) {
        return true;
    }

    /**
     * The nemeses named {@code spec}: one of {@link #NAMES}, a group ({@code kill}, {@code pause},
     * {@code partition}, {@code mixed}: all of them), or several joined with {@code +}.
     */
    static List<Nemesis> named(String spec) {
        if (spec.contains("+")) {
            List<Nemesis> all = new ArrayList<>();
            for (String part : spec.split("\\+")) {
                all.addAll(named(part));
            }
            return all;
        }
        return switch (spec) {
            case "kill-random" -> List.of(new NodeNemesis(NodeNemesis.Fault.KILL, false));
            case "kill-leader" -> List.of(new NodeNemesis(NodeNemesis.Fault.KILL, true));
            case "pause-random" -> List.of(new NodeNemesis(NodeNemesis.Fault.PAUSE, false));
            case "pause-leader" -> List.of(new NodeNemesis(NodeNemesis.Fault.PAUSE, true));
            case "partition-halves" -> List.of(new PartitionNemesis(PartitionNemesis.Shape.HALVES));
            case "partition-leader" -> List.of(new PartitionNemesis(PartitionNemesis.Shape.ISOLATED_LEADER));
            case "partition-ring" -> List.of(new PartitionNemesis(PartitionNemesis.Shape.RING));
            case "kill" -> List.of(new NodeNemesis(NodeNemesis.Fault.KILL, false),
                    new NodeNemesis(NodeNemesis.Fault.KILL, true));
            case "pause" -> List.of(new NodeNemesis(NodeNemesis.Fault.PAUSE, false),
                    new NodeNemesis(NodeNemesis.Fault.PAUSE, true));
            case "partition" -> List.of(new PartitionNemesis(PartitionNemesis.Shape.HALVES),
                    new PartitionNemesis(PartitionNemesis.Shape.ISOLATED_LEADER),
                    new PartitionNemesis(PartitionNemesis.Shape.RING));
            case "mixed" -> {
                List<Nemesis> all = new ArrayList<>();
                for (String name : NAMES) {
                    all.addAll(named(name));
                }
                yield all;
            }
            default -> throw new IllegalArgumentException("no nemesis " + spec + " (one of " + NAMES
                    + ", kill, pause, partition, mixed)");
        };
    }

    List<String> NAMES = List.of("kill-random", "kill-leader", "pause-random", "pause-leader", "partition-halves",
            "partition-leader", "partition-ring");

    /** The queue's leader's index, or a random node if no leader is known (the fault still happens). */
    static int leaderOrRandom(FaultCluster cluster, String queue, Random random) {
        int leader = cluster.queueLeader(queue).map(cluster::indexOf).orElse(-1);
        return leader >= 0 ? leader : random.nextInt(cluster.size());
    }
}
