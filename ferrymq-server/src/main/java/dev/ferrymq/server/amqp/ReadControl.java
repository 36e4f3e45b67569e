package dev.ferrymq.server.amqp;

import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.server.flow.CongestionPause;
import io.netty.channel.ChannelHandlerContext;

import java.util.function.BooleanSupplier;

/**
 * Whether a connection reads its socket. It does not while the socket is not writable (a client that does not
 * read what we send is not read from either), while paused for a congested queue (publisher flow control), or
 * while blocked by a resource alarm ({@link AlarmBlock}). Confined to the connection's event loop.
 */
final class ReadControl {
    /**
     * Longest pause of a publisher for a congested queue, when the connection also consumes: it may carry the
     * acknowledgements that queue is waiting for, so it must not stop reading for long.
     */
    private static final long MAX_FLOW_PAUSE_CONSUMING_MILLIS = 20;
    /** Longest pause of a publish-only connection: a safety net in case the queue never signals. */
    private static final long MAX_FLOW_PAUSE_MILLIS = 1000;

    private final ChannelHandlerContext ctx;
    private final BooleanSupplier blockedByAlarm;
    private final CongestionPause congestion;

    ReadControl(ChannelHandlerContext ctx, BooleanSupplier blockedByAlarm) {
        this.ctx = ctx;
        this.blockedByAlarm = blockedByAlarm;
        this.congestion = new CongestionPause(ctx, this::update);
    }

    /**
     * A queue this connection published to has consumers falling behind: stop reading from the socket (TCP
     * back-pressure) until the queue has caught up, or for a bounded time.
     */
    void pauseFor(Queue congested, boolean consuming) {
        congestion.pauseFor(congested, consuming ? MAX_FLOW_PAUSE_CONSUMING_MILLIS : MAX_FLOW_PAUSE_MILLIS);
    }

    /** Reads the socket again unless something above still holds it. */
    void update() {
        ctx.channel().config().setAutoRead(ctx.channel().isWritable() && !congestion.paused()
                && !blockedByAlarm.getAsBoolean());
    }
}
