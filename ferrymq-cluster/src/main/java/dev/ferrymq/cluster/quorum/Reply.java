package dev.ferrymq.cluster.quorum;

import java.io.IOException;

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

    public static Reply decode(byte[] bytes) throws IOException {
        WireInput in = new WireInput(bytes);
        CommandCodec.checkVersion(in.readByte(), "reply");
        int code = in.readByte();
        if (code >= Code.values().length) {
            throw new IOException("unknown reply code " + code);
        }
        Reply reply = new Reply(Code.values()[code], in.readLong());
        in.expectEnd();
        return reply;
    }
}
