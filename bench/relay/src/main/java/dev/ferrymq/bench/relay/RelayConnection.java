package dev.ferrymq.bench.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client connection of the relay: answers the handshake and the topology, qos, consume and confirm methods
 * with their -ok, and forwards each publish to the next consumer as one write (deliver + header + body).
 */
final class RelayConnection extends ChannelInboundHandlerAdapter {
    /** A basic.consume: publishes are delivered on {@code amqpChannel} of {@code channel}. */
    record Consumer(RelayConnection connection, Channel channel, int amqpChannel, byte[] tag, AtomicLong tags,
                    AtomicLong acked, int prefetch) {
        /** Whether the consumer has its prefetch window full (0 = no limit, or a no-ack consumer). */
        boolean full() {
            return prefetch > 0 && tags.get() - acked.get() >= prefetch;
        }
    }

    /** A publish being assembled on one AMQP channel: its deliver frame, then header and body slices. */
    private static final class Publish {
        final CompositeByteBuf frames;
        final Consumer to;
        long bodyLeft = -1; // unknown until the header

        Publish(CompositeByteBuf frames, Consumer to) {
            this.frames = frames;
            this.to = to;
        }
    }

    private final Consumers consumers;
    private final Map<Integer, Publish> publishing = new HashMap<>();
    private final Map<Integer, long[]> confirmSeq = new HashMap<>(); // channel → next publish sequence number
    private final Map<Integer, Integer> prefetch = new HashMap<>(); // channel → basic.qos prefetch-count
    private final Map<Integer, Consumer> consumerOn = new HashMap<>(); // channel → its (last) consumer
    private final Set<Channel> toFlush = new HashSet<>();
    private final List<Channel> pausedPublishers = new ArrayList<>();
    private ChannelHandlerContext ctx;
    private int generated;
    private boolean windowFull;

    RelayConnection(Consumers consumers) {
        this.consumers = consumers;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        if (frame.getByte(0) == 'A') { // the protocol header
            frame.release();
            ctx.writeAndFlush(Frames.connectionStart(ctx.alloc()));
            return;
        }
        int type = frame.getUnsignedByte(0);
        int channel = frame.getUnsignedShort(1);
        switch (type) {
            case Frames.METHOD -> {
                try {
                    onMethod(channel, frame);
                } finally {
                    frame.release();
                }
            }
            case Frames.HEADER, Frames.BODY -> onContent(type, channel, frame);
            default -> frame.release(); // heartbeats
        }
    }

    private void onMethod(int channel, ByteBuf frame) {
        int classId = frame.getUnsignedShort(7);
        int methodId = frame.getUnsignedShort(9);
        ByteBuf args = frame.slice(11, frame.readableBytes() - 12);
        switch (classId << 16 | methodId) {
            case 10 << 16 | 11 -> { // start-ok → tune: channel-max 2047, frame-max 128 KiB, no heartbeats
                ByteBuf f = Frames.method(ctx.alloc(), 0, 10, 30).writeShort(2047).writeInt(131072).writeShort(0);
                reply(Frames.end(f));
            }
            case 10 << 16 | 40 -> reply(Frames.simple(ctx.alloc(), 0, 10, 41, 1));
            case 10 << 16 | 50 -> {
                reply(Frames.simple(ctx.alloc(), 0, 10, 51, 0));
                ctx.flush();
                ctx.close();
            }
            case 10 << 16 | 51 -> ctx.close();
            case 20 << 16 | 10 -> reply(Frames.simple(ctx.alloc(), channel, 20, 11, 4));
            case 20 << 16 | 40 -> {
                forget(channel);
                reply(Frames.simple(ctx.alloc(), channel, 20, 41, 0));
            }
            case 40 << 16 | 10 -> replyUnlessNoWait(args, 2 + 2, 0x10, channel, 40, 11, 0); // exchange.declare
            case 40 << 16 | 20 -> replyUnlessNoWait(args, 2 + 1, 0x02, channel, 40, 21, 0); // exchange.delete
            case 50 << 16 | 10 -> queueDeclare(channel, args);
            case 50 << 16 | 20 -> replyUnlessNoWait(args, 2 + 3, 0x01, channel, 50, 21, 0); // queue.bind
            case 50 << 16 | 30 -> replyUnlessNoWait(args, 2 + 1, 0x01, channel, 50, 31, 4); // queue.purge
            case 50 << 16 | 40 -> replyUnlessNoWait(args, 2 + 1, 0x04, channel, 50, 41, 4); // queue.delete
            case 50 << 16 | 50 -> reply(Frames.simple(ctx.alloc(), channel, 50, 51, 0)); // queue.unbind
            case 60 << 16 | 10 -> { // basic.qos: the window is honoured, by not reading the publisher
                prefetch.put(channel, args.getUnsignedShort(4));
                reply(Frames.simple(ctx.alloc(), channel, 60, 11, 0));
            }
            case 60 << 16 | 80 -> acked(channel, args.getLong(0), (args.getByte(8) & 1) != 0);
            case 60 << 16 | 20 -> consume(channel, args);
            case 60 << 16 | 30 -> cancel(channel, args);
            case 60 << 16 | 40 -> publish(channel, args);
            case 85 << 16 | 10 -> {
                confirmSeq.put(channel, new long[] {1});
                if ((args.getByte(0) & 1) == 0) {
                    reply(Frames.simple(ctx.alloc(), channel, 85, 11, 0));
                }
            }
            case 90 << 16 | 10, 90 << 16 | 20, 90 << 16 | 30 ->
                    reply(Frames.simple(ctx.alloc(), channel, 90, methodId + 1, 0));
            default -> { } // acks, rejects, nacks: nothing is kept, so nothing to settle
        }
    }

    /** Replies with an all-zero -ok unless the no-wait bit is set in the flags octet after {@code shortStrings}. */
    private void replyUnlessNoWait(ByteBuf args, int fieldsBeforeFlags, int noWaitBit, int channel, int classId,
                                   int okMethod, int zeros) {
        int at = 2; // reserved short
        for (int i = 2; i < fieldsBeforeFlags; i++) {
            at += 1 + args.getUnsignedByte(at);
        }
        if ((args.getByte(at) & noWaitBit) == 0) {
            reply(Frames.simple(ctx.alloc(), channel, classId, okMethod, zeros));
        }
    }

    private void queueDeclare(int channel, ByteBuf args) {
        int nameLength = args.getUnsignedByte(2);
        String name = args.toString(3, nameLength, StandardCharsets.UTF_8);
        if (name.isEmpty()) {
            name = "amq.gen-relay-" + (++generated) + "-" + Integer.toHexString(System.identityHashCode(this));
        }
        if ((args.getByte(3 + nameLength) & 0x10) == 0) {
            ByteBuf f = Frames.method(ctx.alloc(), channel, 50, 11);
            Frames.shortString(f, name);
            reply(Frames.end(f.writeInt(0).writeInt(0)));
        }
    }

    private void consume(int channel, ByteBuf args) {
        int at = 2;
        at += 1 + args.getUnsignedByte(at); // queue
        int tagLength = args.getUnsignedByte(at);
        String tag = args.toString(at + 1, tagLength, StandardCharsets.UTF_8);
        at += 1 + tagLength;
        if (tag.isEmpty()) {
            tag = "amq.ctag-relay-" + (++generated);
        }
        boolean noAck = (args.getByte(at) & 0x02) != 0;
        Consumer consumer = new Consumer(this, ctx.channel(), channel, tag.getBytes(StandardCharsets.UTF_8),
                new AtomicLong(), new AtomicLong(), noAck ? 0 : prefetch.getOrDefault(channel, 0));
        consumers.add(consumer);
        consumerOn.put(channel, consumer);
        if ((args.getByte(at) & 0x08) == 0) {
            ByteBuf f = Frames.method(ctx.alloc(), channel, 60, 21);
            Frames.shortString(f, tag);
            reply(Frames.end(f));
        }
    }

    private void cancel(int channel, ByteBuf args) {
        int tagLength = args.getUnsignedByte(0);
        String tag = args.toString(1, tagLength, StandardCharsets.UTF_8);
        consumers.removeAll(this); // good enough for a benchmark: PerfTest cancels only when it stops
        if ((args.getByte(1 + tagLength) & 1) == 0) {
            ByteBuf f = Frames.method(ctx.alloc(), channel, 60, 31);
            Frames.shortString(f, tag);
            reply(Frames.end(f));
        }
    }

    /** basic.publish: starts the deliver frame for the next consumer, with the publish's exchange and key. */
    private void publish(int channel, ByteBuf args) {
        Consumer to = consumers.next();
        CompositeByteBuf frames = ctx.alloc().compositeDirectBuffer(8);
        if (to != null) {
            ByteBuf deliver = Frames.method(ctx.alloc(), to.amqpChannel(), 60, 60);
            deliver.writeByte(to.tag().length).writeBytes(to.tag()).writeLong(to.tags().incrementAndGet())
                    .writeByte(0);
            int exchangeLength = args.getUnsignedByte(2);
            int keyLength = args.getUnsignedByte(3 + exchangeLength);
            deliver.writeBytes(args, 2, 1 + exchangeLength + 1 + keyLength); // exchange and routing key as sent
            frames.addComponent(true, Frames.end(deliver));
        }
        publishing.put(channel, new Publish(frames, to));
    }

    /** basic.ack from a consumer: its window opens, and publishers held for it read again. */
    private void acked(int channel, long tag, boolean multiple) {
        Consumer consumer = consumerOn.get(channel);
        if (consumer == null) {
            return;
        }
        if (multiple) {
            consumer.acked().accumulateAndGet(tag, Math::max);
        } else {
            consumer.acked().incrementAndGet();
        }
        if (!consumer.full() && ctx.channel().isWritable()) {
            pausedPublishers.forEach(p -> p.config().setAutoRead(true));
            pausedPublishers.clear();
        }
    }

    private void onContent(int type, int channel, ByteBuf frame) {
        Publish p = publishing.get(channel);
        if (p == null) {
            frame.release();
            return;
        }
        int size = frame.getInt(3);
        if (type == Frames.HEADER) {
            p.bodyLeft = frame.getLong(7 + 4);
        } else {
            p.bodyLeft -= size;
        }
        if (p.to != null) {
            frame.setShort(1, p.to.amqpChannel()); // the slice is ours alone: rewrite its channel in place
            p.frames.addComponent(true, frame);
        } else {
            frame.release();
        }
        if (p.bodyLeft == 0) {
            publishing.remove(channel);
            forward(channel, p);
        }
    }

    private void forward(int channel, Publish p) {
        if (p.to == null || !p.to.channel().isActive()) {
            p.frames.release();
        } else {
            p.to.channel().write(p.frames, p.to.channel().voidPromise());
            toFlush.add(p.to.channel());
            if (p.to.full()) {
                windowFull = true;
                p.to.connection().pauseUntilWritable(ctx.channel()); // resumed by its next ack
            }
        }
        long[] seq = confirmSeq.get(channel);
        if (seq != null) {
            ctx.write(Frames.end(Frames.method(ctx.alloc(), channel, 60, 80).writeLong(seq[0]++).writeByte(0)),
                    ctx.voidPromise());
            toFlush.add(ctx.channel()); // flushed with the deliveries at the end of the read
        }
    }

    private void reply(ByteBuf frame) {
        ctx.writeAndFlush(frame, ctx.voidPromise());
    }

    private void forget(int channel) {
        Publish p = publishing.remove(channel);
        if (p != null) {
            p.frames.release();
        }
        confirmSeq.remove(channel);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        boolean blocked = false;
        for (Channel c : toFlush) {
            c.flush();
            if (!c.isWritable()) {
                blocked = true;
                RelayConnection consumerSide = c.pipeline().get(RelayConnection.class);
                if (consumerSide != null) {
                    consumerSide.pauseUntilWritable(ctx.channel());
                }
            }
        }
        toFlush.clear();
        if (blocked || windowFull) {
            windowFull = false;
            ctx.channel().config().setAutoRead(false); // back-pressure, or the relay would buffer without bound
        }
    }

    /** Holds {@code publisher} until this (consumer's) connection is writable and its window has room. */
    private void pauseUntilWritable(Channel publisher) {
        ctx.executor().execute(() -> {
            boolean windowOpen = consumerOn.values().stream().noneMatch(Consumer::full);
            if (ctx.channel().isWritable() && windowOpen) {
                publisher.config().setAutoRead(true);
            } else {
                pausedPublishers.add(publisher);
            }
        });
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && consumerOn.values().stream().noneMatch(Consumer::full)) {
            pausedPublishers.forEach(p -> p.config().setAutoRead(true));
            pausedPublishers.clear();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        consumers.removeAll(this);
        publishing.values().forEach(p -> p.frames.release());
        publishing.clear();
        pausedPublishers.forEach(p -> p.config().setAutoRead(true));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
