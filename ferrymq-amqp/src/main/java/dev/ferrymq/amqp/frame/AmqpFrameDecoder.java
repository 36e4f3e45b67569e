package dev.ferrymq.amqp.frame;

import dev.ferrymq.amqp.AmqpException;
import dev.ferrymq.amqp.BasicProperties;
import dev.ferrymq.amqp.ReplyCode;
import dev.ferrymq.amqp.method.MethodDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Decodes the client byte stream: first the {@link ProtocolHeader}, then frames (layout in
 * {@link Frame}).
 *
 * <p>Emits {@link ProtocolHeader#INSTANCE} or {@link BadProtocolHeader}, then {@link MethodFrame},
 * {@link ContentHeaderFrame}, {@link ContentBodyFrame} and {@link HeartbeatFrame}. Invalid input never
 * throws: a {@link FrameError} is emitted and all later input is discarded. One frame is decoded per
 * {@code decode} call, so a handler reacting to a frame (e.g. tune-ok calling
 * {@link #setMaxFrameSize}) takes effect before the next frame is read.
 */
public class AmqpFrameDecoder extends ByteToMessageDecoder {

    private static final int HEADER_SIZE = 7;

    private enum State { PROTOCOL_HEADER, FRAMES, DISCARD }

    private State state = State.PROTOCOL_HEADER;
    private int maxFrameSize;

    /** @param maxFrameSize largest accepted frame including its 8 bytes of overhead; 0 = no limit */
    public AmqpFrameDecoder(int maxFrameSize) {
        setMaxFrameSize(maxFrameSize);
        // A publisher's stream nearly always ends a read with part of a frame, so the cumulation buffer lives on
        // and each read is appended to it. Compacting after every read (instead of every 16) keeps it a few
        // reads in size; otherwise it grows to megabytes per publishing connection.
        setDiscardAfterReads(1);
    }

    /** Changes the frame size limit (e.g. after connection.tune-ok). Call from the channel's event loop. */
    public void setMaxFrameSize(int maxFrameSize) {
        if (maxFrameSize < 0) {
            throw new IllegalArgumentException("maxFrameSize < 0: " + maxFrameSize);
        }
        this.maxFrameSize = maxFrameSize;
    }

    public int maxFrameSize() {
        return maxFrameSize;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (state) {
            case PROTOCOL_HEADER -> decodeProtocolHeader(in, out);
            case FRAMES -> decodeFrame(in, out);
            case DISCARD -> in.skipBytes(in.readableBytes());
        }
    }

    private void decodeProtocolHeader(ByteBuf in, List<Object> out) {
        int n = Math.min(in.readableBytes(), ProtocolHeader.BYTES.length);
        for (int i = 0; i < n; i++) {
            if (in.getByte(in.readerIndex() + i) != ProtocolHeader.BYTES[i]) {
                // Reject as soon as a byte differs; no need to wait for all 8.
                state = State.DISCARD;
                in.skipBytes(in.readableBytes());
                out.add(new BadProtocolHeader());
                return;
            }
        }
        if (n == ProtocolHeader.BYTES.length) {
            in.skipBytes(n);
            state = State.FRAMES;
            out.add(ProtocolHeader.INSTANCE);
        }
    }

    private void decodeFrame(ByteBuf in, List<Object> out) {
        if (in.readableBytes() < HEADER_SIZE) {
            return;
        }
        int start = in.readerIndex();
        int type = in.getUnsignedByte(start);
        int channel = in.getUnsignedShort(start + 1);
        long size = in.getUnsignedInt(start + 3);
        long limit = maxFrameSize == 0 ? Integer.MAX_VALUE : maxFrameSize;
        if (size + Frame.OVERHEAD > limit) {
            fail(in, out, FrameError.of(ReplyCode.FRAME_ERROR,
                    "frame size " + (size + Frame.OVERHEAD) + " exceeds frame_max " + limit, channel));
            return;
        }
        if (in.readableBytes() < size + Frame.OVERHEAD) {
            return;
        }
        int payloadStart = start + HEADER_SIZE;
        int payloadSize = (int) size;
        int end = in.getUnsignedByte(payloadStart + payloadSize);
        if (end != Frame.FRAME_END) {
            fail(in, out, FrameError.of(ReplyCode.FRAME_ERROR,
                    "bad frame end octet 0x" + Integer.toHexString(end), channel));
            return;
        }
        in.skipBytes(HEADER_SIZE);
        ByteBuf payload = in.readSlice(payloadSize);
        in.skipBytes(1);
        try {
            Object frame = switch (type) {
                case Frame.TYPE_METHOD -> new MethodFrame(channel, MethodDecoder.decode(payload));
                case Frame.TYPE_HEADER -> contentHeader(channel, payload);
                case Frame.TYPE_BODY -> new ContentBodyFrame(channel, payload.retain());
                case Frame.TYPE_HEARTBEAT -> new HeartbeatFrame(channel);
                default -> FrameError.of(ReplyCode.FRAME_ERROR, "unknown frame type " + type, channel);
            };
            if (frame instanceof FrameError) {
                state = State.DISCARD;
                in.skipBytes(in.readableBytes());
            }
            out.add(frame);
        } catch (AmqpException e) {
            fail(in, out, FrameError.of(e, channel));
        }
    }

    /**
     * Parses a content header; the properties are validated here (so a malformed header is a
     * connection error rather than something forwarded to consumers) but kept as raw bytes.
     */
    private static ContentHeaderFrame contentHeader(int channel, ByteBuf payload) {
        if (payload.readableBytes() < 14) {
            throw AmqpException.connection(ReplyCode.FRAME_ERROR,
                    "content header too short (" + payload.readableBytes() + " bytes)");
        }
        int classId = payload.readUnsignedShort();
        payload.skipBytes(2); // weight, unused
        long bodySize = payload.readLong();
        if (bodySize < 0) {
            throw AmqpException.connection(ReplyCode.FRAME_ERROR, "negative content body size")
                    .withMethod(classId, 0);
        }
        byte[] properties = ByteBufUtil.getBytes(payload);
        BasicProperties decoded = null;
        if (classId == 60) {
            try {
                decoded = BasicProperties.decode(payload); // checked here, kept for the publish
            } catch (AmqpException e) {
                throw e.withMethod(classId, 0);
            }
        }
        return new ContentHeaderFrame(channel, classId, bodySize, properties, decoded);
    }

    private void fail(ByteBuf in, List<Object> out, FrameError error) {
        state = State.DISCARD;
        in.skipBytes(in.readableBytes());
        out.add(error);
    }
}
