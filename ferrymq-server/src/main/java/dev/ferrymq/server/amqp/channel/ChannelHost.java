package dev.ferrymq.server.amqp.channel;

import dev.ferrymq.amqp.Method;
import dev.ferrymq.broker.queue.ExclusiveOwner;
import dev.ferrymq.broker.queue.Queue;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;

/**
 * What a channel needs from its connection: output, the event loop and the few connection-wide actions. The open
 * connection implements it; unit tests implement it without a socket.
 *
 * <p>Every method runs on the connection's event loop, except {@link #executor()} and {@link #isWritable()},
 * which any thread may call (queues dispatching to the channel do).
 */
public interface ChannelHost {
    /** Encodes one method frame and queues it for the socket. */
    void send(int channel, Method method);

    /** Queues encoded frames; they go out at the end of the current read batch or delivery drain. */
    void write(ByteBuf frames);

    void flushIfPending();

    ByteBufAllocator alloc();

    /** The negotiated frame_max, for splitting message bodies. */
    int frameMax();

    /** The connection's event loop. Any thread. */
    EventExecutor executor();

    /** Whether the socket takes more output now (below Netty's high-water mark). Any thread. */
    boolean isWritable();

    /** A hard error: connection.close, as if raised while handling a method. */
    void closeConnection(int replyCode, String replyText, int classId, int methodId);

    /** Publisher flow control: stop reading the socket until {@code congested} has caught up. */
    void pauseReadingFor(Queue congested);

    /** The channel finished closing: its number is free for a new channel.open. */
    void channelClosed(int number);

    /** The identity that owns the connection's exclusive queues. */
    ExclusiveOwner owner();

    /** The connection's name, for logs. */
    String name();
}
