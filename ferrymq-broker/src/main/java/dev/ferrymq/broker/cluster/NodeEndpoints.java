package dev.ferrymq.broker.cluster;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each cluster node's AMQP listener and the secret its internode connections log in with, as the replicated
 * metadata has them ({@code MetadataCommand.SetNodeEndpoint}): how another node reaches the classic queues homed
 * there. Kept in memory and in the metadata group's log and snapshots, never in definitions exports. Thread-safe.
 */
public final class NodeEndpoints {

    /**
     * One node's AMQP address and internode secret; {@code incarnation} is new each time the node process starts,
     * so the others learn that it restarted (and lost its non-durable queues).
     */
    public record Endpoint(String node, String host, int port, String secret, long incarnation) {
    }

    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();

    /** Records the endpoint; returns whether it is a new incarnation of a node known before (a restart). */
    public boolean put(Endpoint endpoint) {
        Endpoint previous = endpoints.put(endpoint.node(), endpoint);
        return previous != null && previous.incarnation() != endpoint.incarnation();
    }

    /** The node's endpoint, or null when it has not announced one yet. */
    public Endpoint get(String node) {
        return endpoints.get(node);
    }

    public List<Endpoint> all() {
        return List.copyOf(endpoints.values());
    }
}
