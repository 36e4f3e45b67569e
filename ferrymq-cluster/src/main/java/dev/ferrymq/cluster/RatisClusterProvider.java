package dev.ferrymq.cluster;

import dev.ferrymq.broker.Broker;
import dev.ferrymq.broker.cluster.Cluster;
import dev.ferrymq.broker.cluster.ClusterConfig;
import dev.ferrymq.broker.cluster.ClusterProvider;
import dev.ferrymq.broker.queue.QueueTypes;
import dev.ferrymq.cluster.metadata.CommandCount;
import dev.ferrymq.cluster.quorum.queue.QuorumQueueType;
import dev.ferrymq.cluster.quorum.queue.QuorumQueues;

import java.io.IOException;

/**
 * The {@link ClusterProvider} the server finds through {@link java.util.ServiceLoader}: clustering on Apache Ratis.
 * It installs {@code x-queue-type: quorum}, whose groups Ratis may already start (from storage) while the node starts.
 */
public final class RatisClusterProvider implements ClusterProvider {
    @Override
    public Cluster start(ClusterConfig config, Broker broker) throws IOException {
        GroupStateMachines stateMachines = new GroupStateMachines();
        QuorumQueues quorumQueues = new QuorumQueues(config.nodeName(), broker);
        stateMachines.register(quorumQueues::stateMachineFor);
        // before the server starts: replaying a recovered group's Declare entry registers its queue by this type
        QueueTypes.register(new QuorumQueueType(quorumQueues));
        ClusterNode node = ClusterNode.start(config, stateMachines, new CommandCount());
        quorumQueues.start(node);
        return node;
    }
}
