package dev.ferrymq.amqp.frame;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymq.amqp.BasicProperties;
import dev.ferrymq.amqp.ReplyCode;
import dev.ferrymq.amqp.method.BasicPublish;
import dev.ferrymq.amqp.method.ChannelOpen;
import dev.ferrymq.amqp.method.ConnectionStartOk;
import dev.ferrymq.amqp.method.QueueDeclare;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AmqpFrameDecoderTest {

    private final EmbeddedChannel ch = new EmbeddedChannel(new AmqpFrameDecoder(4096));

    private List<Object> feed(byte[]... chunks) {
        for (byte[] c : chunks) {
            ch.writeInbound(Unpooled.wrappedBuffer(c));
        }
        List<Object> out = new ArrayList<>();
        for (Object o; (o = ch.readInbound()) != null; ) {
            out.add(o);
        }
        return out;
    }

    private static byte[] bytes(java.util.function.Consumer<ByteBuf> writer) {
        ByteBuf buf = Unpooled.buffer();
        writer.accept(buf);
        return ByteBufUtil.getBytes(buf);
    }

    private static byte[] rawFrame(int type, int channel, byte[] payload, int end) {
        return bytes(b -> b.writeByte(type).writeShort(channel).writeInt(payload.length).writeBytes(payload)
                .writeByte(end));
    }

    private static byte[] methodPayload(int classId, int methodId, byte[] args) {
        return bytes(b -> b.writeShort(classId).writeShort(methodId).writeBytes(args));
    }

    private FrameError expectSingleError(List<Object> out) {
        assertThat(out).hasSize(1).first().isInstanceOf(FrameError.class);
        // everything after the error is discarded
        assertThat(feed(ProtocolHeader.BYTES, bytes(b -> Frames.writeHeartbeat(b)))).isEmpty();
        return (FrameError) out.get(0);
    }

    @Test
    void acceptsProtocolHeaderEvenByteByByte() {
        for (int i = 0; i < 7; i++) {
            assertThat(feed(new byte[] {ProtocolHeader.BYTES[i]})).isEmpty();
        }
        assertThat(feed(new byte[] {1})).containsExactly(ProtocolHeader.INSTANCE);
    }

    @Test
    void rejectsOtherProtocolVersionsAndDiscardsTheRest() {
        assertThat(feed(new byte[] {'A', 'M', 'Q', 'P', 1, 1, 0, 9})).containsExactly(new BadProtocolHeader());
        assertThat(feed(bytes(b -> Frames.writeHeartbeat(b)))).isEmpty();
    }

    @Test
    void rejectsNonAmqpWithoutWaitingForEightBytes() {
        assertThat(feed("GET".getBytes(StandardCharsets.US_ASCII))).containsExactly(new BadProtocolHeader());
        assertThat(feed(" / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII))).isEmpty();
    }

    @Test
    void decodesFramesSplitAtArbitraryBoundaries() {
        byte[] body = new byte[10_000];
        new Random(1).nextBytes(body);
        BasicProperties props = BasicProperties.EMPTY.withReplyTo("reply-q");
        ByteBuf stream = Unpooled.buffer();
        stream.writeBytes(ProtocolHeader.BYTES);
        Frames.writeMethod(stream, 1, new ChannelOpen());
        Frames.writeMethod(stream, 1, new BasicPublish("ex", "rk", true, false));
        Frames.writeContentHeader(stream, 1, 60, body.length, props);
        Frames.writeBody(stream, 1, body, 4096);
        Frames.writeHeartbeat(stream);
        byte[] all = ByteBufUtil.getBytes(stream);

        Random random = new Random(42);
        for (int round = 0; round < 50; round++) {
            EmbeddedChannel c = new EmbeddedChannel(new AmqpFrameDecoder(4096));
            int pos = 0;
            while (pos < all.length) {
                int n = round == 0 ? 1 : Math.min(all.length - pos, 1 + random.nextInt(700));
                c.writeInbound(Unpooled.wrappedBuffer(all, pos, n));
                pos += n;
            }
            List<Object> out = new ArrayList<>();
            for (Object o; (o = c.readInbound()) != null; ) {
                out.add(o);
            }
            assertThat(out).hasSize(4 + 3 + 1);
            assertThat(out.get(0)).isSameAs(ProtocolHeader.INSTANCE);
            assertThat(out.get(1)).isEqualTo(new MethodFrame(1, new ChannelOpen()));
            assertThat(out.get(2)).isEqualTo(new MethodFrame(1, new BasicPublish("ex", "rk", true, false)));
            ContentHeaderFrame header = (ContentHeaderFrame) out.get(3);
            assertThat(header.bodySize()).isEqualTo(body.length);
            assertThat(header.decodeProperties()).isEqualTo(props);
            ByteBuf reassembled = Unpooled.buffer();
            for (int i = 4; i < 7; i++) {
                ContentBodyFrame bf = (ContentBodyFrame) out.get(i);
                assertThat(bf.channel()).isEqualTo(1);
                reassembled.writeBytes(bf.payload());
                bf.release();
            }
            assertThat(ByteBufUtil.getBytes(reassembled)).isEqualTo(body);
            assertThat(out.get(7)).isEqualTo(new HeartbeatFrame(0));
            assertThat(c.finish()).isFalse();
        }
    }

    @Test
    void frameLargerThanMaxIsFrameErrorWithoutWaitingForPayload() {
        feed(ProtocolHeader.BYTES);
        // header announcing 5000 bytes; only 7 bytes sent
        FrameError e = expectSingleError(feed(bytes(b -> b.writeByte(3).writeShort(5).writeInt(5000))));
        assertThat(e.replyCode()).isEqualTo(ReplyCode.FRAME_ERROR);
        assertThat(e.replyText()).startsWith("FRAME_ERROR - ");
        assertThat(e.channel()).isEqualTo(5);
    }

    @Test
    void frameExactlyAtMaxIsAccepted() {
        feed(ProtocolHeader.BYTES);
        List<Object> out = feed(rawFrame(3, 1, new byte[4096 - 8], 0xCE));
        assertThat(out).hasSize(1);
        ((ContentBodyFrame) out.get(0)).release();
        assertThat(expectSingleError(feed(rawFrame(3, 1, new byte[4096 - 7], 0xCE))).replyCode()).isEqualTo(501);
    }

    @Test
    void maxFrameSizeCanBeRaisedAfterTune() {
        AmqpFrameDecoder decoder = new AmqpFrameDecoder(4096);
        EmbeddedChannel c = new EmbeddedChannel(decoder);
        c.writeInbound(Unpooled.wrappedBuffer(ProtocolHeader.BYTES));
        decoder.setMaxFrameSize(131072);
        c.writeInbound(Unpooled.wrappedBuffer(rawFrame(3, 1, new byte[100_000], 0xCE)));
        c.readInbound();
        ContentBodyFrame body = c.readInbound();
        assertThat(body.payload().readableBytes()).isEqualTo(100_000);
        body.release();
    }

    @Test
    void badFrameEndIsFrameError() {
        feed(ProtocolHeader.BYTES);
        FrameError e = expectSingleError(feed(rawFrame(1, 2, methodPayload(20, 10, new byte[] {0}), 0xCD)));
        assertThat(e.replyCode()).isEqualTo(ReplyCode.FRAME_ERROR);
        assertThat(e.replyText()).contains("frame end");
    }

    @Test
    void unknownFrameTypeIsFrameError() {
        feed(ProtocolHeader.BYTES);
        FrameError e = expectSingleError(feed(rawFrame(4, 0, new byte[0], 0xCE)));
        assertThat(e.replyCode()).isEqualTo(ReplyCode.FRAME_ERROR);
        assertThat(e.replyText()).contains("frame type 4");
    }

    @Test
    void unknownClassIsNotImplemented() {
        feed(ProtocolHeader.BYTES);
        FrameError e = expectSingleError(feed(rawFrame(1, 7, methodPayload(99, 1, new byte[0]), 0xCE)));
        assertThat(e).isEqualTo(new FrameError(540, e.replyText(), 7, 99, 1));
        assertThat(e.replyText()).startsWith("NOT_IMPLEMENTED - ");
    }

    @Test
    void truncatedArgumentsAreSyntaxError() {
        feed(ProtocolHeader.BYTES);
        // queue.declare with only the reserved short and half a queue name
        FrameError e = expectSingleError(feed(rawFrame(1, 1, methodPayload(50, 10, new byte[] {0, 0, 5, 'a'}), 0xCE)));
        assertThat(e.replyCode()).isEqualTo(ReplyCode.SYNTAX_ERROR);
        assertThat(e.replyText()).startsWith("SYNTAX_ERROR - ").contains("queue.declare");
        assertThat(e.classId()).isEqualTo(50);
        assertThat(e.methodId()).isEqualTo(10);
    }

    @Test
    void tableClaimingTwoGigabytesIsSyntaxErrorWithoutAllocating() {
        AmqpFrameDecoder decoder = new AmqpFrameDecoder(0); // no frame limit: only the table length lies
        EmbeddedChannel c = new EmbeddedChannel(decoder);
        ByteBuf args = Unpooled.buffer();
        new QueueDeclare("q", false, false, false, false, false, Map.of()).writeArguments(args);
        args.setInt(args.writerIndex() - 4, Integer.MAX_VALUE);
        c.writeInbound(Unpooled.wrappedBuffer(ProtocolHeader.BYTES),
                Unpooled.wrappedBuffer(rawFrame(1, 1, methodPayload(50, 10, ByteBufUtil.getBytes(args)), 0xCE)));
        c.readInbound();
        FrameError e = c.readInbound();
        assertThat(e.replyCode()).isEqualTo(ReplyCode.SYNTAX_ERROR);
        assertThat(e.replyText()).contains("queue.declare").contains("2147483647");
    }

    @Test
    void longStringClaimingFourGigabytesIsSyntaxError() {
        feed(ProtocolHeader.BYTES);
        ByteBuf args = Unpooled.buffer();
        new ConnectionStartOk(Map.of(), "PLAIN", new byte[0], "en_US").writeArguments(args);
        byte[] a = ByteBufUtil.getBytes(args);
        // response longstr length sits after the empty table (4) and "PLAIN" (6)
        Unpooled.wrappedBuffer(a).setInt(10, 0xFFFFFFFF);
        FrameError e = expectSingleError(feed(rawFrame(1, 0, methodPayload(10, 11, a), 0xCE)));
        assertThat(e.replyCode()).isEqualTo(ReplyCode.SYNTAX_ERROR);
        assertThat(e.replyText()).contains("connection.start-ok");
    }

    @Test
    void malformedContentHeaderIsRejected() {
        feed(ProtocolHeader.BYTES);
        // flags say content-type present but no value follows
        byte[] payload = bytes(b -> b.writeShort(60).writeShort(0).writeLong(10).writeShort(0x8000));
        FrameError e = expectSingleError(feed(rawFrame(2, 1, payload, 0xCE)));
        assertThat(e.replyCode()).isEqualTo(ReplyCode.SYNTAX_ERROR);
        assertThat(e.classId()).isEqualTo(60);
    }

    @Test
    void keepsRawPropertiesVerbatim() {
        feed(ProtocolHeader.BYTES);
        byte[] raw = new BasicProperties("text/plain", null, Map.of("h", 1), 2, null, null, null, null, null,
                123L, null, null, null, null).toBytes();
        List<Object> out = feed(bytes(b -> Frames.writeContentHeader(b, 9, 60, 77, raw)));
        assertThat(out).containsExactly(new ContentHeaderFrame(9, 60, 77, raw));
    }

    /** The decoder checks the properties by decoding them; it keeps the result so a publish decodes only once. */
    @Test
    void keepsThePropertiesItDecodedForThePublish() {
        feed(ProtocolHeader.BYTES);
        BasicProperties properties = new BasicProperties(null, null, Map.of("h", "v"), 2, 5, null, null, "60000",
                null, null, null, null, null, null);
        byte[] raw = properties.toBytes();
        ContentHeaderFrame header = (ContentHeaderFrame) feed(bytes(b -> Frames.writeContentHeader(b, 1, 60, 0,
                raw))).get(0);
        assertThat(header.decoded()).isNotNull();
        assertThat(header.decodeProperties()).isSameAs(header.decoded());
        assertThat(header.decoded().priority()).isEqualTo(5);
        assertThat(header.decoded().expiration()).isEqualTo("60000");
    }

    /**
     * A publisher's stream read 64 KiB at a time nearly always leaves part of a frame behind, and Netty reads up
     * to 16 times before read-complete; the buffer that accumulates those reads must not grow to megabytes.
     */
    @Test
    void cumulationStaysAFewReadsInSizeWhenReadsEndInsideFrames() {
        class Probe extends AmqpFrameDecoder {
            Probe() {
                super(0);
            }

            int bufferCapacity() {
                ByteBuf buffer = internalBuffer();
                return buffer == null ? 0 : buffer.capacity();
            }
        }
        Probe decoder = new Probe();
        AtomicLong frames = new AtomicLong();
        EmbeddedChannel c = new EmbeddedChannel(decoder, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                frames.incrementAndGet(); // consumed at once, as the broker copies bodies out
                ReferenceCountUtil.release(msg);
            }
        });
        c.writeInbound(Unpooled.wrappedBuffer(ProtocolHeader.BYTES));
        byte[] frame = rawFrame(3, 1, new byte[1000], 0xCE);
        ByteBuf stream = Unpooled.buffer();
        while (stream.readableBytes() < 4 * 1024 * 1024) {
            stream.writeBytes(frame);
        }
        int read = 64 * 1024;
        int largest = 0;
        while (stream.readableBytes() >= read) {
            for (int i = 0; i < 16 && stream.readableBytes() >= read; i++) { // one socket read loop
                c.pipeline().fireChannelRead(c.alloc().buffer(read).writeBytes(stream, read));
                largest = Math.max(largest, decoder.bufferCapacity());
            }
            c.pipeline().fireChannelReadComplete();
        }
        assertThat(frames).hasValueGreaterThan(4000);
        assertThat(largest).isLessThanOrEqualTo(4 * read); // every 16 reads instead: 4 MiB
        stream.release();
        c.finishAndReleaseAll();
    }
}
