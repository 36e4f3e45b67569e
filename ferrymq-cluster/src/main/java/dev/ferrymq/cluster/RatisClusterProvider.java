package dev.ferrymq.cluster;

import dev.ferrymq.broker.Broker;
import dev.ferrymq.broker.cluster.Cluster;
import dev.ferrymq.broker.cluster.ClusterConfig;
import dev.ferrymq.broker.cluster.ClusterProvider;
import dev.ferrymq.broker.queue.QueueTypes;
import dev.ferrymq.cluster.metadata.BrokerMetadata;
import dev.ferrymq.cluster.metadata.RaftMetadataReplication;
import dev.ferrymq.cluster.quorum.queue.QuorumQueueType;
import dev.ferrymq.cluster.quorum.queue.QuorumQueues;
import dev.ferrymq.cluster.remote.RemoteClassicQueues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * The {@link ClusterProvider} the server finds through {@link java.util.ServiceLoader}: clustering on Apache Ratis,
 * with the broker's metadata replicated in the metadata group, and {@code x-queue-type: quorum} installed, whose
 * groups Ratis may already start (from storage) while the node starts.
 */
public final class RatisClusterProvider implements ClusterProvider {
    private static final Logger log = LoggerFactory.getLogger(RatisClusterProvider.class);
    private static final long CATCH_UP_WAIT_MILLIS = 10_000;

    @Override
    public Cluster start(ClusterConfig config, Broker broker) throws IOException {
        BrokerMetadata metadata = new BrokerMetadata(broker, config.storageDir().resolve("metadata-applied"));
        boolean restarting = metadata.hasAppliedBefore();
        GroupStateMachines stateMachines = new GroupStateMachines();
        QuorumQueues quorumQueues = new QuorumQueues(config.nodeName(), broker);
        stateMachines.register(quorumQueues::stateMachineFor);
        // before the server starts: replaying a recovered group's Declare entry registers its queue by this type
        QueueTypes.register(new QuorumQueueType(quorumQueues));
        // before the log replays: a classic queue declared on another node becomes a proxy here
        RemoteClassicQueues remoteQueues = RemoteClassicQueues.start(config.nodeName(), broker, config.storageDir());
        metadata.afterApplying(remoteQueues::applied);
        ClusterNode node = ClusterNode.start(config, stateMachines, metadata);
        node.closeWith(remoteQueues);
        quorumQueues.start(node);
        RaftMetadataReplication replication = new RaftMetadataReplication(node.metadataLog(), node.metadata());
        broker.replicateMetadataThrough(replication);
        remoteQueues.announce(replication, () -> node.leader() != null, config.advertisedHost(), config.amqpPort());
        if (restarting) {
            awaitCaughtUp(config, replication);
        }
        return node;
    }

    /**
     * A restarted node catches up on what it missed before its listeners open. A first start does not wait: the
     * seeds start one by one and have no majority until enough of them run.
     */
    private static void awaitCaughtUp(ClusterConfig config, RaftMetadataReplication replication) {
        try {
            if (!replication.awaitCaughtUp(CATCH_UP_WAIT_MILLIS)) {
                log.warn("{}: not caught up with the cluster's metadata after {} ms (no majority yet?); serving what "
                        + "it has, and catching up once there is one", config.nodeName(), CATCH_UP_WAIT_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
