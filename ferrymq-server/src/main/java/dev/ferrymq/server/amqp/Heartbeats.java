package dev.ferrymq.server.amqp;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * AMQP heartbeats for a negotiated interval: fires {@link IdleStateEvent#WRITER_IDLE_STATE_EVENT} when nothing was
 * flushed for about one interval (the connection then sends a heartbeat frame) and
 * {@link IdleStateEvent#READER_IDLE_STATE_EVENT} when nothing was read for two (the client is gone). An idle
 * connection sends one heartbeat per interval.
 *
 * <p>Netty's {@code IdleStateHandler} does the same, but to learn when a write completes it turns every write's
 * void promise into a real one and adds a listener to it: 2% of the event loop's CPU on a 1 KB publish/consume
 * run, plus two objects per frame. Here the hot path only sets a flag, and a timer looks at the flags twice per
 * interval, so a quiet spell is noticed between one half and one whole interval late, well inside the client's
 * own two-interval timeout. Confined to the connection's event loop.
 */
final class Heartbeats extends ChannelDuplexHandler {
    /** Checks without a read, at two per interval, after which the peer counts as gone: two intervals. */
    private static final int QUIET_CHECKS_BEFORE_READER_IDLE = 4;

    private final long checkMillis;
    private ScheduledFuture<?> timer;
    private boolean flushed;
    private boolean read;
    private int quietChecks;

    /** @param intervalSeconds the negotiated heartbeat interval, above zero */
    Heartbeats(int intervalSeconds) {
        this.checkMillis = Math.max(1, intervalSeconds * 1000L / 2);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timer = ctx.executor().scheduleAtFixedRate(() -> check(ctx), checkMillis, checkMillis,
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        timer.cancel(false);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        timer.cancel(false);
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        read = true;
        ctx.fireChannelRead(msg);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        flushed = true;
        ctx.flush();
    }

    private void check(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive()) {
            timer.cancel(false);
            return;
        }
        boolean quiet = !flushed;
        flushed = false; // before the event: the heartbeat it sends counts, so an idle connection gets one per interval
        if (quiet) {
            ctx.fireUserEventTriggered(IdleStateEvent.WRITER_IDLE_STATE_EVENT);
        }
        if (read) {
            quietChecks = 0;
        } else if (++quietChecks >= QUIET_CHECKS_BEFORE_READER_IDLE) {
            quietChecks = 0;
            ctx.fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
        }
        read = false;
    }
}
