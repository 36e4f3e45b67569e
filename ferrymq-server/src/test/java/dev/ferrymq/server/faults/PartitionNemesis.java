package dev.ferrymq.server.faults;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Cuts the cluster's network ({@link NodeNetwork}) into a shape; healing joins every pair again.
 * <ul>
 *   <li>{@code HALVES}: a random minority (⌊(n−1)/2⌋ nodes) from the majority;</li>
 *   <li>{@code ISOLATED_LEADER}: the queue's leader alone;</li>
 *   <li>{@code RING}: each node sees only its two neighbours in a random ring (with 3 nodes, that would cut
 *       nothing, so one node is the bridge between the other two, which do not see each other).</li>
 * </ul>
 */
final class PartitionNemesis implements Nemesis {
    enum Shape { HALVES, ISOLATED_LEADER, RING }

    private final Shape shape;

    PartitionNemesis(Shape shape) {
        this.shape = shape;
    }

    @Override
    public boolean canRun(FaultCluster cluster) {
        return cluster.canPartition();
    }

    @Override
    public String inject(FaultCluster cluster, String queue, Random random) throws Exception {
        int n = cluster.size();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, random);
        List<int[]> cuts = new ArrayList<>();
        String what;
        switch (shape) {
            case HALVES, ISOLATED_LEADER -> {
                List<Integer> minority;
                if (shape == Shape.HALVES) {
                    minority = order.subList(0, (n - 1) / 2);
                } else {
                    minority = List.of(Nemesis.leaderOrRandom(cluster, queue, random));
                }
                for (int a : minority) {
                    for (int b = 0; b < n; b++) {
                        if (!minority.contains(b)) {
                            cuts.add(new int[] {a, b});
                        }
                    }
                }
                what = (shape == Shape.HALVES ? "partition " : "partition, leader alone: ") + names(cluster, minority)
                        + " | the rest";
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    for (int j = i + 1; j < n; j++) {
                        int distance = Math.abs(order.indexOf(i) - order.indexOf(j));
                        boolean neighbours = n == 3 ? distance == 1 : distance == 1 || distance == n - 1;
                        if (!neighbours) {
                            cuts.add(new int[] {i, j});
                        }
                    }
                }
                what = "partition, ring " + names(cluster, order);
            }
        }
        for (int[] cut : cuts) {
            cluster.network().cut(cut[0], cut[1]);
        }
        return what + " (" + cuts.size() + " links cut)";
    }

    private static String names(FaultCluster cluster, List<Integer> nodes) {
        return nodes.stream().map(cluster::name).toList().toString();
    }

    @Override
    public void heal(FaultCluster cluster) throws Exception {
        cluster.network().healAll();
    }

    @Override
    public String toString() {
        return switch (shape) {
            case HALVES -> "partition-halves";
            case ISOLATED_LEADER -> "partition-leader";
            case RING -> "partition-ring";
        };
    }
}
