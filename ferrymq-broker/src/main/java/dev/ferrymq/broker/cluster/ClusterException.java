package dev.ferrymq.broker.cluster;

/** A membership change the cluster refused or could not make (no leader, unknown node, a timeout). */
public final class ClusterException extends RuntimeException {
    public ClusterException(String message) {
        super(message);
    }

    public ClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
