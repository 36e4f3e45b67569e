package dev.ferrymq.cluster.quorum;

import java.io.IOException;

/** {@link QueueConfig} on the wire, shared by the Configure command and the snapshot. */
final class QueueConfigCodec {
    private QueueConfigCodec() {
    }

    static WireOutput write(WireOutput out, QueueConfig config) {
        return out.writeInt(config.deliveryLimit())
                .writeLong(config.maxLength())
                .writeLong(config.maxLengthBytes())
                .writeByte(config.overflow().ordinal())
                .writeLong(config.messageTtl())
                .writeBoolean(config.singleActiveConsumer());
    }

    static QueueConfig read(WireInput in) throws IOException {
        int deliveryLimit = in.readInt();
        long maxLength = in.readLong();
        long maxLengthBytes = in.readLong();
        int overflow = in.readByte();
        if (overflow >= Overflow.values().length) {
            throw new IOException("unknown overflow " + overflow);
        }
        return new QueueConfig(deliveryLimit, maxLength, maxLengthBytes, Overflow.values()[overflow],
                in.readLong(), in.readBoolean());
    }
}
