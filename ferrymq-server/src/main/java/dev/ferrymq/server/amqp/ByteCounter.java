package dev.ferrymq.server.amqp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

import java.util.concurrent.atomic.LongAdder;

/**
 * First handler of an AMQP pipeline: counts the bytes a connection receives and sends, for its own statistics and
 * the server totals. The per-connection counts are plain fields written on the event loop and read as volatile.
 */
final class ByteCounter extends ChannelDuplexHandler {
    private final LongAdder totalReceived;
    private final LongAdder totalSent;
    private volatile long received;
    private volatile long sent;

    ByteCounter(LongAdder totalReceived, LongAdder totalSent) {
        this.totalReceived = totalReceived;
        this.totalSent = totalSent;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            int n = buf.readableBytes();
            received += n;
            totalReceived.add(n);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf) {
            int n = buf.readableBytes();
            sent += n;
            totalSent.add(n);
        }
        ctx.write(msg, promise);
    }

    long received() {
        return received;
    }

    long sent() {
        return sent;
    }
}
