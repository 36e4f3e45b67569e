package dev.ferrymq.amqp.frame;

import dev.ferrymq.amqp.BasicProperties;
import dev.ferrymq.amqp.Method;
import dev.ferrymq.amqp.method.MethodEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Frame encoders writing into a caller-supplied buffer (layout in {@link Frame}). The size field is
 * written as a placeholder and patched once the payload is written.
 */
public final class Frames {

    private static final int BASIC_CLASS_ID = 60;

    private Frames() {}

    public static void writeMethod(ByteBuf out, int channel, Method m) {
        int sizeIndex = begin(out, Frame.TYPE_METHOD, channel);
        MethodEncoder.write(out, m);
        end(out, sizeIndex);
    }

    public static void writeHeartbeat(ByteBuf out) {
        int sizeIndex = begin(out, Frame.TYPE_HEARTBEAT, 0);
        end(out, sizeIndex);
    }

    /** Content header with raw property flags + values (e.g. forwarded verbatim from the publisher). */
    public static void writeContentHeader(ByteBuf out, int channel, int classId, long bodySize, byte[] rawProperties) {
        int sizeIndex = beginHeader(out, channel, classId, bodySize);
        out.writeBytes(rawProperties);
        end(out, sizeIndex);
    }

    public static void writeContentHeader(ByteBuf out, int channel, int classId, long bodySize, BasicProperties props) {
        int sizeIndex = beginHeader(out, channel, classId, bodySize);
        (props == null ? BasicProperties.EMPTY : props).encode(out);
        end(out, sizeIndex);
    }

    /**
     * Writes the readable bytes of {@code body} (its indices are left unchanged) as body frames of
     * at most {@code frameMax} bytes each including overhead; {@code frameMax} 0 means unlimited. An
     * empty body writes nothing.
     */
    public static void writeBody(ByteBuf out, int channel, ByteBuf body, int frameMax) {
        int maxPayload = maxPayload(frameMax);
        int index = body.readerIndex();
        int remaining = body.readableBytes();
        while (remaining > 0) {
            int chunk = Math.min(remaining, maxPayload);
            int sizeIndex = begin(out, Frame.TYPE_BODY, channel);
            out.writeBytes(body, index, chunk);
            end(out, sizeIndex);
            index += chunk;
            remaining -= chunk;
        }
    }

    public static void writeBody(ByteBuf out, int channel, byte[] body, int frameMax) {
        writeBody(out, channel, Unpooled.wrappedBuffer(body), frameMax);
    }

    /** A content-bearing method (basic.deliver, get-ok, return) followed by its header and body frames. */
    public static void writeDelivery(ByteBuf out, int channel, Method deliverOrGetOk, byte[] rawProperties,
                                     byte[] body, int frameMax) {
        if (!deliverOrGetOk.hasContent()) {
            throw new IllegalArgumentException(deliverOrGetOk.name() + " does not carry content");
        }
        writeMethod(out, channel, deliverOrGetOk);
        writeContentHeader(out, channel, BASIC_CLASS_ID, body.length, rawProperties);
        writeBody(out, channel, body, frameMax);
    }

    private static int maxPayload(int frameMax) {
        if (frameMax == 0) {
            return Integer.MAX_VALUE;
        }
        if (frameMax <= Frame.OVERHEAD) {
            throw new IllegalArgumentException("frameMax too small: " + frameMax);
        }
        return frameMax - Frame.OVERHEAD;
    }

    private static int beginHeader(ByteBuf out, int channel, int classId, long bodySize) {
        int sizeIndex = begin(out, Frame.TYPE_HEADER, channel);
        out.writeShort(classId);
        out.writeShort(0); // weight
        out.writeLong(bodySize);
        return sizeIndex;
    }

    /** Writes type and channel plus a size placeholder; returns the placeholder's index. */
    private static int begin(ByteBuf out, int type, int channel) {
        out.writeByte(type);
        out.writeShort(channel);
        int sizeIndex = out.writerIndex();
        out.writeInt(0);
        return sizeIndex;
    }

    private static void end(ByteBuf out, int sizeIndex) {
        out.setInt(sizeIndex, out.writerIndex() - sizeIndex - 4);
        out.writeByte(Frame.FRAME_END);
    }
}
