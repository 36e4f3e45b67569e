package dev.ferrymq.broker.metadata;

/**
 * How a clustered broker has its metadata changes agreed: the cluster appends the command to its replicated log
 * and returns once the command is committed and applied on this node, with what applying it answered. A single
 * node has none, and changes its metadata directly. Implementations are thread-safe.
 */
public interface MetadataReplication {

    /**
     * Replicates {@code command} and waits until this node applied it; returns what it answered (null or a
     * Boolean) or throws the refusal (BrokerException, IllegalArgumentException) as a single node would.
     */
    Object replicate(MetadataCommand command);
}
