package dev.ferrymq.cluster.metadata;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * The state the metadata group replicates, as a deterministic function of its command log: every node applies the
 * same commands in the same order and so holds the same state. A server's is {@link BrokerMetadata} (vhosts,
 * users, permissions, policies, exchanges and exchange bindings, as RabbitMQ 4 keeps them in Khepri); the cluster
 * module's own tests use {@link CommandCount}.
 *
 * <p>Called by {@link MetadataStateMachine} on Ratis' apply thread, one call at a time. {@link #apply} must not
 * block, throw for a command another node accepted, or depend on anything but the state and the command (no
 * clock, no randomness, no local files): a refusal is a result, not an exception.
 */
public interface ReplicatedMetadata {

    /** Applies the command at log {@code index} and returns the answer its submitter gets (may be empty). */
    byte[] apply(long index, byte[] command);

    /** Writes the whole state (a snapshot's body). */
    void writeSnapshot(DataOutputStream out) throws IOException;

    /** Replaces the whole state with what {@link #writeSnapshot} wrote. */
    void readSnapshot(DataInputStream in) throws IOException;

    /** Forgets everything (a node starting with no snapshot, before its log is replayed). */
    void clear();
}
