package dev.ferrymq.server.faults;

import java.util.Random;

/**
 * SIGSTOP of one node (a random one, or the queue's leader), SIGCONT to heal: a long GC pause or a frozen VM. The
 * node's sockets stay open, so peers and clients see silence, not a closed connection.
 */
final class PauseNemesis implements Nemesis {
    private final boolean leader;
    private int victim = -1;

    PauseNemesis(boolean leader) {
        this.leader = leader;
    }

    @Override
    public String inject(FaultCluster cluster, String queue, Random random) throws Exception {
        victim = leader ? Nemesis.leaderOrRandom(cluster, queue, random) : random.nextInt(cluster.size());
        cluster.pause(victim);
        return "SIGSTOP " + cluster.name(victim) + (leader ? " (leader)" : "");
    }

    @Override
    public void heal(FaultCluster cluster) throws Exception {
        if (victim >= 0) {
            cluster.resume(victim);
            victim = -1;
        }
    }

    @Override
    public String toString() {
        return leader ? "pause-leader" : "pause-random";
    }
}
