package dev.ferrymq.server.flow;

import dev.ferrymq.broker.queue.Queue;
import io.netty.channel.ChannelHandlerContext;

import java.util.concurrent.TimeUnit;

/**
 * Publisher flow control for one client socket, whatever its protocol: when a publish reached a queue whose
 * consumers fall behind, the socket is not read (TCP back-pressure) until that queue has caught up, or for a
 * bounded time in case it never signals. The owner decides what else stops reading: it is told of each change
 * and asks {@link #paused()} when it sets the socket's auto-read. Confined to the connection's event loop.
 */
public final class CongestionPause {
    private final ChannelHandlerContext ctx;
    private final Runnable readingChanged;
    private boolean paused;

    /** @param readingChanged run on the event loop when the pause starts or ends (it re-evaluates auto-read) */
    public CongestionPause(ChannelHandlerContext ctx, Runnable readingChanged) {
        this.ctx = ctx;
        this.readingChanged = readingChanged;
    }

    /** Stops reading until {@code congested} has caught up, or for at most {@code maxMillis}; no-op if paused. */
    public void pauseFor(Queue congested, long maxMillis) {
        if (paused) {
            return;
        }
        paused = true;
        readingChanged.run();
        congested.whenUncongested(() -> ctx.executor().execute(this::resume));
        ctx.executor().schedule(this::resume, maxMillis, TimeUnit.MILLISECONDS);
    }

    public boolean paused() {
        return paused;
    }

    private void resume() {
        if (paused) {
            paused = false;
            readingChanged.run();
        }
    }
}
