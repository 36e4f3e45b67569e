package dev.ferrymq.bench.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * Splits the byte stream into whole AMQP frames (type, channel, size, payload, frame-end), each a retained slice
 * of the read buffer; the 8-byte protocol header that opens a connection is passed on as one slice first.
 */
final class FrameSplitter extends ByteToMessageDecoder {
    private boolean headerSeen;

    FrameSplitter() {
        setCumulator(COMPOSITE_CUMULATOR);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!headerSeen) {
            if (in.readableBytes() < 8) {
                return;
            }
            headerSeen = true;
            out.add(in.readRetainedSlice(8));
        }
        while (in.readableBytes() >= 7) {
            int size = in.getInt(in.readerIndex() + 3);
            if (in.readableBytes() < 8 + size) {
                return;
            }
            out.add(in.readRetainedSlice(8 + size));
        }
    }
}
