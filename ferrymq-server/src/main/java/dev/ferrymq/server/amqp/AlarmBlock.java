package dev.ferrymq.server.amqp;

import dev.ferrymq.amqp.frame.ContentBodyFrame;
import dev.ferrymq.amqp.frame.Frame;
import dev.ferrymq.amqp.frame.MethodFrame;
import dev.ferrymq.amqp.method.BasicPublish;
import dev.ferrymq.amqp.method.ConnectionBlocked;
import dev.ferrymq.amqp.method.ConnectionUnblocked;
import dev.ferrymq.server.alarm.Alarms;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;

/**
 * A connection's block during a resource alarm, as RabbitMQ does it: a connection that publishes while an alarm
 * is set stops being read (consume-only connections keep draining) and, if the client announced the capability,
 * is told so with connection.blocked; when the alarms clear it gets connection.unblocked and reading resumes.
 * Frames decoded from bytes read before the block took effect wait, in order, until it lifts (at most one socket
 * read batch). Confined to the connection's event loop, except {@link #blocked()}, a racy read for metrics.
 */
final class AlarmBlock {
    private static final Logger log = LoggerFactory.getLogger(AlarmBlock.class);

    private final AmqpConnection connection;
    private final Alarms alarms;
    /** Reading is stopped because this connection published during a resource alarm. */
    private volatile boolean blocked;
    /** connection.blocked was sent and needs its connection.unblocked. */
    private boolean notified;
    /** Inbound messages received while blocked, processed when unblocked (we own their references). */
    private final ArrayDeque<Object> heldBack = new ArrayDeque<>();

    AlarmBlock(AmqpConnection connection, Alarms alarms) {
        this.connection = connection;
        this.alarms = alarms;
    }

    boolean blocked() {
        return blocked;
    }

    /** Keeps {@code msg} for later if the connection is blocked (and not closed); returns whether it did. */
    boolean holdBack(Object msg, boolean live) {
        if (!blocked || !live) {
            return false;
        }
        heldBack.add(detached(msg));
        return true;
    }

    /**
     * A held-back body frame gets its own heap copy: as a slice it would pin the pooled read buffer it came from,
     * and that direct memory is what a memory alarm waits to see freed.
     */
    private static Object detached(Object msg) {
        if (!(msg instanceof ContentBodyFrame body)) {
            return msg;
        }
        try {
            return new ContentBodyFrame(body.channel(), Unpooled.copiedBuffer(body.payload()));
        } finally {
            body.release();
        }
    }

    /** A frame for a channel is about to be handled: a publish during an alarm blocks the connection after it. */
    void beforeChannelFrame(Frame frame) {
        if (blocked || !(frame instanceof MethodFrame mf) || !(mf.method() instanceof BasicPublish)
                || !alarms.anyAlarm()) {
            return;
        }
        blocked = true;
        connection.updateAutoRead();
        if (connection.clientSupportsBlocked()) {
            notified = true;
            connection.send(0, new ConnectionBlocked(alarms.reason()));
        }
        log.info("blocking publishing connection {}: {}", connection.name(), alarms.reason());
    }

    /** The alarms cleared: resume reading, send connection.unblocked, process what was held back. */
    void alarmsCleared(boolean live) {
        if (!blocked || alarms.anyAlarm()) {
            return;
        }
        blocked = false;
        if (notified && live) {
            notified = false;
            connection.send(0, new ConnectionUnblocked());
        }
        log.info("unblocked connection {}", connection.name());
        while (!blocked && !heldBack.isEmpty()) {
            connection.replay(heldBack.poll()); // may block again on a publish if a new alarm is set
        }
        connection.endOfReplay();
        connection.updateAutoRead();
    }

    /** The socket closed: drop what was held back. */
    void release() {
        for (Object msg; (msg = heldBack.poll()) != null; ) {
            ReferenceCountUtil.release(msg);
        }
    }
}
