package dev.ferrymq.mqtt;

import dev.ferrymq.broker.adapter.ResourceAlarms;
import dev.ferrymq.broker.queue.Queue;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Whether an MQTT connection's socket is read, as the AMQP connection decides it for its publishers:
 * <ul>
 *   <li>a PUBLISH that arrives during a memory or disk alarm blocks the connection: it and every packet after it
 *       are held back, in order, and the socket is not read until the alarms clear;</li>
 *   <li>a publish that reached a congested queue (consumers falling behind) pauses reading until the queue has
 *       caught up, or for at most {@value #MAX_CONGESTION_PAUSE_MILLIS} ms.</li>
 * </ul>
 * Confined to the connection's event loop, except {@link #alarmsCleared}.
 */
final class ReadGate {
    private static final Logger log = LoggerFactory.getLogger(ReadGate.class);
    private static final long MAX_CONGESTION_PAUSE_MILLIS = 1000;

    private final ChannelHandlerContext ctx;
    private final ResourceAlarms alarms;
    private final Consumer<Object> handle;
    private final ArrayDeque<Object> heldBack = new ArrayDeque<>();
    private boolean blocked;
    private boolean congestionPaused;

    /** @param handle handles a packet that was held back, once the connection is unblocked */
    ReadGate(ChannelHandlerContext ctx, ResourceAlarms alarms, Consumer<Object> handle) {
        this.ctx = ctx;
        this.alarms = alarms;
        this.handle = handle;
    }

    /**
     * Whether {@code packet} must wait: true while blocked (it is held back), or when it is a publish and an alarm
     * is raised (the connection blocks now).
     */
    boolean holdBack(Object packet, boolean isPublish) {
        if (!blocked && isPublish && alarms.anyAlarm()) {
            blocked = true;
            updateAutoRead();
            log.info("blocking MQTT connection {}: {}", ctx.channel().remoteAddress(), alarms.reason());
        }
        if (blocked) {
            heldBack.add(packet);
        }
        return blocked;
    }

    /** Blocked by an alarm (a keep-alive timeout does not count then: the socket is not being read). */
    boolean blocked() {
        return blocked;
    }

    /** Called from any thread when the alarms have cleared. */
    void alarmsCleared() {
        ctx.executor().execute(() -> {
            if (!blocked || alarms.anyAlarm()) {
                return;
            }
            blocked = false;
            log.info("unblocked MQTT connection {}", ctx.channel().remoteAddress());
            while (!blocked && !heldBack.isEmpty() && ctx.channel().isActive()) {
                handle.accept(heldBack.poll());
            }
            ctx.flush(); // the answers to what was held back: no read batch ends here to flush them
            updateAutoRead();
        });
    }

    /** A publish reached {@code congested}: stop reading until it has caught up, or for a bounded time. */
    void pauseFor(Queue congested) {
        if (congestionPaused) {
            return;
        }
        congestionPaused = true;
        updateAutoRead();
        congested.whenUncongested(() -> ctx.executor().execute(this::resume));
        ctx.executor().schedule(this::resume, MAX_CONGESTION_PAUSE_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void resume() {
        if (congestionPaused) {
            congestionPaused = false;
            updateAutoRead();
        }
    }

    /** Releases what is held back (the connection closed). */
    void discard() {
        heldBack.forEach(ReferenceCountUtil::release);
        heldBack.clear();
    }

    private void updateAutoRead() {
        ctx.channel().config().setAutoRead(!blocked && !congestionPaused);
    }
}
