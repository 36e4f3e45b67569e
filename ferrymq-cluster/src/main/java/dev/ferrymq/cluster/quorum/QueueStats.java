package dev.ferrymq.cluster.quorum;

import java.io.IOException;

/**
 * A read-only view of a replica's state: the answer to a Ratis query, and what management will show.
 * Encoded as {@code version:byte ready:int readyBytes:long checkedOut:int consumers:int lastApplied:long}.
 */
public record QueueStats(int ready, long readyBytes, int checkedOut, int consumers, long lastAppliedIndex) {

    static QueueStats of(QuorumQueueState state, long lastAppliedIndex) {
        return new QueueStats(state.readyCount(), state.readyBytes(), state.checkedOutCount(),
                state.consumerCount(), lastAppliedIndex);
    }

    public byte[] encode() {
        return new WireOutput().writeByte(CommandCodec.VERSION).writeInt(ready).writeLong(readyBytes)
                .writeInt(checkedOut).writeInt(consumers).writeLong(lastAppliedIndex).toByteArray();
    }

    public static QueueStats decode(byte[] bytes) throws IOException {
        WireInput in = new WireInput(bytes);
        CommandCodec.checkVersion(in.readByte(), "stats");
        QueueStats stats = new QueueStats(in.readInt(), in.readLong(), in.readInt(), in.readInt(), in.readLong());
        in.expectEnd();
        return stats;
    }
}
