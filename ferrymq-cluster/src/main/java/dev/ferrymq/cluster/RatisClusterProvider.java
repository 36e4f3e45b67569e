package dev.ferrymq.cluster;

import dev.ferrymq.broker.Broker;
import dev.ferrymq.broker.cluster.Cluster;
import dev.ferrymq.broker.cluster.ClusterConfig;
import dev.ferrymq.broker.cluster.ClusterProvider;

import java.io.IOException;

/** The {@link ClusterProvider} the server finds through {@link java.util.ServiceLoader}: clustering on Apache Ratis. */
public final class RatisClusterProvider implements ClusterProvider {
    @Override
    public Cluster start(ClusterConfig config, Broker broker) throws IOException {
        return ClusterNode.start(config);
    }
}
