package dev.ferrymq.server.faults;

import java.util.Random;

/**
 * A fault of one node, a random one or the queue's leader: {@code KILL} is kill -9, healed by starting it again on
 * its data directory; {@code PAUSE} is SIGSTOP (a long GC pause or a frozen VM: its sockets stay open, so peers and
 * clients see silence, not a closed connection), healed by SIGCONT.
 */
final class NodeNemesis implements Nemesis {
    enum Fault { KILL, PAUSE }

    private final Fault fault;
    private final boolean leader;
    private int victim = -1;

    NodeNemesis(Fault fault, boolean leader) {
        this.fault = fault;
        this.leader = leader;
    }

    @Override
    public String inject(FaultCluster cluster, String queue, Random random) throws Exception {
        victim = leader ? Nemesis.leaderOrRandom(cluster, queue, random) : random.nextInt(cluster.size());
        if (fault == Fault.KILL) {
            cluster.kill(victim);
        } else {
            cluster.pause(victim);
        }
        return (fault == Fault.KILL ? "kill -9 " : "SIGSTOP ") + cluster.name(victim) + (leader ? " (leader)" : "");
    }

    @Override
    public void heal(FaultCluster cluster) throws Exception {
        if (victim >= 0) {
            if (fault == Fault.KILL) {
                cluster.restart(victim);
            } else {
                cluster.resume(victim);
            }
            victim = -1;
        }
    }

    @Override
    public String toString() {
        return (fault == Fault.KILL ? "kill-" : "pause-") + (leader ? "leader" : "random");
    }
}
