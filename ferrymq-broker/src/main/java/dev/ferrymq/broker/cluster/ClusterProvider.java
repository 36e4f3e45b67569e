package dev.ferrymq.broker.cluster;

import dev.ferrymq.broker.Broker;

import java.io.IOException;
import java.util.ServiceLoader;

/**
 * Starts this node's part of a cluster. Implementations are found with {@link ServiceLoader} (a {@code
 * META-INF/services/dev.ferrymq.broker.cluster.ClusterProvider} entry), so the broker and the server compile and run
 * without one: only a node configured with cluster seeds looks one up ({@link #load()}).
 */
public interface ClusterProvider {

    /**
     * Joins or forms the cluster and returns once this node's cluster listener is up. {@code broker} is this node's
     * broker, which replicated metadata and quorum queues will act on (membership alone does not use it).
     */
    Cluster start(ClusterConfig config, Broker broker) throws IOException;

    /** The provider on the class path; IllegalStateException if there is none (ferrymq-cluster is missing). */
    static ClusterProvider load() {
        return ServiceLoader.load(ClusterProvider.class).findFirst().orElseThrow(() -> new IllegalStateException(
                "cluster seeds are set but no cluster provider is on the class path (the ferrymq-cluster module)"));
    }
}
