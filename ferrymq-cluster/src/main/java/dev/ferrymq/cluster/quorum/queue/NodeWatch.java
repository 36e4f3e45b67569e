package dev.ferrymq.cluster.quorum.queue;

import dev.ferrymq.broker.cluster.NodeStatus;
import dev.ferrymq.cluster.ClusterNode;
import dev.ferrymq.cluster.quorum.QueueCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Gives back what consumers on a lost node held. Every {@link #PERIOD_SECONDS} this node looks at which cluster
 * nodes answer; for a node that has not answered {@link #MISSED_CHECKS} times in a row, each queue group this
 * node leads that still has consumers there gets a {@link QueueCommand.NodeDown}: their checked-out messages go
 * back to the queue and are redelivered to consumers elsewhere, as RabbitMQ's quorum queues do when a consumer's
 * node disconnects. Without it they would wait, unacknowledged, until that node restarted.
 *
 * <p>A node that was only cut off and comes back finds its consumers gone from the replicated state; its
 * {@link QuorumQueue} checks them out again (see {@link QuorumQueue#consumerGone}), so they carry on.
 */
final class NodeWatch {
    private static final Logger log = LoggerFactory.getLogger(NodeWatch.class);
    static final long PERIOD_SECONDS = 2;
    /** Two missed checks: a node is taken for down 2-4 s after it stopped answering, past an election. */
    static final int MISSED_CHECKS = 2;

    private final QuorumQueues queues;
    private final ClusterNode cluster;
    private final Map<String, Integer> missed = new HashMap<>(); // only the watch thread touches it
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "quorum-node-watch");
        thread.setDaemon(true);
        return thread;
    });

    NodeWatch(QuorumQueues queues, ClusterNode cluster) {
        this.queues = queues;
        this.cluster = cluster;
    }

    void start() {
        timer.scheduleWithFixedDelay(this::check, PERIOD_SECONDS, PERIOD_SECONDS, TimeUnit.SECONDS);
    }

    private void check() {
        try {
            Set<String> down = downNodes();
            if (!down.isEmpty()) {
                queues.forEachLedQueue(queue -> down.stream().filter(queue.replica().stateMachine::hasConsumersOn)
                        .forEach(node -> {
                            log.info("{}: node {} does not answer; returning what its consumers held", queue, node);
                            queue.client().propose(new QueueCommand.NodeDown(node));
                        }));
            }
        } catch (RuntimeException e) {
            log.warn("checking for lost nodes failed", e);
        }
    }

    /** Nodes that missed {@link #MISSED_CHECKS} checks in a row, this one included. */
    private Set<String> downNodes() {
        for (NodeStatus status : cluster.nodes()) {
            String name = status.node().name();
            if (status.running()) {
                missed.remove(name);
            } else {
                missed.merge(name, 1, Integer::sum);
            }
        }
        return missed.entrySet().stream().filter(e -> e.getValue() >= MISSED_CHECKS).map(Map.Entry::getKey)
                .collect(Collectors.toSet());
    }

    void stop() {
        timer.shutdownNow();
    }
}
