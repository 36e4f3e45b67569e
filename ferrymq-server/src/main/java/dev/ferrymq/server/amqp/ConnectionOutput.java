package dev.ferrymq.server.amqp;

import dev.ferrymq.amqp.Method;
import dev.ferrymq.amqp.frame.Frames;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

/**
 * A connection's output: frames are handed to Netty as they are produced and flushed once per socket read batch
 * or delivery drain, not once per frame. Confined to the connection's event loop.
 */
final class ConnectionOutput {
    private final ChannelHandlerContext ctx;
    private boolean flushPending;

    ConnectionOutput(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    void send(int channel, Method method) {
        ByteBuf buf = ctx.alloc().buffer();
        Frames.writeMethod(buf, channel, method);
        write(buf);
    }

    void write(ByteBuf frames) {
        ctx.write(frames, ctx.voidPromise());
        flushPending = true;
    }

    void flushIfPending() {
        if (flushPending) {
            flushPending = false;
            ctx.flush();
        }
    }
}
