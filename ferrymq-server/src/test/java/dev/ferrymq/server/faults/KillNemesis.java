package dev.ferrymq.server.faults;

import java.util.Random;

/** kill -9 of one node (a random one, or the queue's leader); healing starts it again on its data directory. */
final class KillNemesis implements Nemesis {
    private final boolean leader;
    private int victim = -1;

    KillNemesis(boolean leader) {
        this.leader = leader;
    }

    @Override
    public String inject(FaultCluster cluster, String queue, Random random) throws Exception {
        victim = leader ? Nemesis.leaderOrRandom(cluster, queue, random) : random.nextInt(cluster.size());
        cluster.kill(victim);
        return "kill -9 " + cluster.name(victim) + (leader ? " (leader)" : "");
    }

    @Override
    public void heal(FaultCluster cluster) throws Exception {
        if (victim >= 0) {
            cluster.restart(victim);
            victim = -1;
        }
    }

    @Override
    public String toString() {
        return leader ? "kill-leader" : "kill-random";
    }
}
