package dev.ferrymq.cluster.quorum;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The answer to the proposer of a command, sent back by Ratis once the entry is committed and applied.
 * Encoded as {@code version:byte code:byte value:long}.
 *
 * @param value the message id for an accepted enqueue, the purged count for a purge, the ready count left
 *              after a basic.get (its message-count), else 0
 */
public record Reply(Code code, long value) {

    public enum Code {
        OK,
        /** An enqueue already applied (same publisher and sequence number): confirm it again. */
        DUPLICATE,
        /** reject-publish refused the enqueue: basic.nack. */
        REJECTED,
        /** basic.get on a queue with no ready message. */
        EMPTY,
        /** An exclusive consume on a queue with consumers, or any consume next to an exclusive one. */
        CONSUMER_REFUSED
    }

    static final Reply OK = new Reply(Code.OK, 0);

    /** True when a publisher confirm should be an ack. */
    public boolean accepted() {
        return code == Code.OK || code == Code.DUPLICATE;
    }

    public byte[] encode() {
        return new WireOutput().writeByte(CommandCodec.VERSION).writeByte(code.ordinal()).writeLong(value)
                .toByteArray();
    }

    /** The replies to a {@link QueueCommand.Batch}, in its order: {@code version:byte count:int (code value)*}. */
    public static byte[] encodeAll(List<Reply> replies) {
        WireOutput out = new WireOutput().writeByte(CommandCodec.VERSION).writeInt(replies.size());
        replies.forEach(reply -> out.writeByte(reply.code.ordinal()).writeLong(reply.value));
        return out.toByteArray();
    }

    public static List<Reply> decodeAll(byte[] bytes) throws IOException {
        WireInput in = new WireInput(bytes);
        CommandCodec.checkVersion(in.readByte(), "batch reply");
        int count = in.readInt();
        if (count < 0 || count > bytes.length) {
            throw new IOException("a batch reply of " + count + " replies");
        }
        List<Reply> replies = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            replies.add(new Reply(code(in.readByte()), in.readLong()));
        }
        in.expectEnd();
        return replies;
    }

    private static Code code(int ordinal) throws IOException {
        if (ordinal < 0 || ordinal >= Code.values().length) {
            throw new IOException("unknown reply code " + ordinal);
        }
        return Code.values()[ordinal];
    }

    public static Reply decode(byte[] bytes) throws IOException {
        WireInput in = new WireInput(bytes);
        CommandCodec.checkVersion(in.readByte(), "reply");
        Reply reply = new Reply(code(in.readByte()), in.readLong());
        in.expectEnd();
        return reply;
    }
}
