package dev.ferrymq.cluster.metadata;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A stand-in for the broker's metadata in the cluster module's tests: how many commands were applied and the last
 * one. Enough to see that commands are replicated, applied in order on every node, snapshotted and caught up
 * by a node that was down. The answer to a command is the count after it (8 bytes, big-endian). Not thread-safe:
 * {@link MetadataStateMachine} serialises the calls.
 */
public final class CommandCount implements ReplicatedMetadata {
    private long applied;
    private byte[] last = new byte[0];

    @Override
    public byte[] apply(long index, byte[] command) {
        applied++;
        last = command.clone();
        return ByteBuffer.allocate(Long.BYTES).putLong(applied).array();
    }

    @Override
    public void writeSnapshot(DataOutputStream out) throws IOException {
        out.writeLong(applied);
        out.writeInt(last.length);
        out.write(last);
    }

    @Override
    public void readSnapshot(DataInputStream in) throws IOException {
        applied = in.readLong();
        last = in.readNBytes(in.readInt());
    }

    @Override
    public void clear() {
        applied = 0;
        last = new byte[0];
    }

    public long applied() {
        return applied;
    }

    public byte[] last() {
        return last.clone();
    }
}
