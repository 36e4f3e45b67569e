package dev.ferrymq.server.line;

import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.server.alarm.Alarms;
import dev.ferrymq.server.flow.CongestionPause;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Set;

/**
 * Flow control for one line-listener connection, in its pipeline between the line decoder and the publishing
 * handler, as {@code AmqpConnection} has it for AMQP publishers:
 * <ul>
 *   <li>while a memory or disk alarm is raised, a line that arrives blocks the connection: it and everything after
 *       it are held back, unpublished, and the socket is no longer read, until the alarms clear;</li>
 *   <li>when a publish reached a queue whose consumers fall behind ({@link #pauseFor}), reading pauses until the
 *       queue has caught up, or for at most {@value #MAX_CONGESTION_PAUSE_MILLIS} ms.</li>
 * </ul>
 * Runs on the connection's event loop; {@link #alarmsCleared} may be called from any thread.
 */
final class LineFlowControl extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(LineFlowControl.class);
    private static final long MAX_CONGESTION_PAUSE_MILLIS = 1000;

    private final Alarms alarms;
    /** The live line connections, told when the alarms clear. */
    private final Set<LineFlowControl> live;
    /** Lines (and a half-close) that arrived while blocked, passed on in order once unblocked. */
    private final ArrayDeque<Object> heldBack = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private boolean blockedByAlarm;
    private CongestionPause congestion;

    LineFlowControl(Alarms alarms, Set<LineFlowControl> live) {
        this.alarms = alarms;
        this.live = live;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.congestion = new CongestionPause(ctx, this::updateAutoRead);
        live.add(this);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        live.remove(this);
        heldBack.forEach(ReferenceCountUtil::release);
        heldBack.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object line) {
        if (!blockedByAlarm && alarms.anyAlarm()) {
            blockedByAlarm = true;
            updateAutoRead();
            log.info("blocking line connection {}: {}", ctx.channel().remoteAddress(), alarms.reason());
        }
        if (blockedByAlarm) {
            heldBack.add(line);
            return;
        }
        ctx.fireChannelRead(line);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (blockedByAlarm && event instanceof ChannelInputShutdownEvent) {
            heldBack.add(event); // the client's half-close comes after its held-back lines
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    /** The alarms cleared (called from any thread): pass on what was held back and read again. */
    void alarmsCleared() {
        ctx.executor().execute(() -> {
            if (!blockedByAlarm || alarms.anyAlarm()) {
                return;
            }
            blockedByAlarm = false;
            log.info("unblocked line connection {}", ctx.channel().remoteAddress());
            while (!blockedByAlarm && !heldBack.isEmpty()) {
                Object next = heldBack.poll();
                if (next instanceof ChannelInputShutdownEvent) {
                    ctx.fireUserEventTriggered(next);
                } else {
                    channelRead(ctx, next); // may block again if a new alarm is raised
                }
            }
            updateAutoRead();
        });
    }

    /** A publish reached {@code congested}: stop reading until it has caught up, or for a bounded time. */
    void pauseFor(Queue congested) {
        congestion.pauseFor(congested, MAX_CONGESTION_PAUSE_MILLIS);
    }

    private void updateAutoRead() {
        ctx.channel().config().setAutoRead(!blockedByAlarm && !congestion.paused());
    }
}
