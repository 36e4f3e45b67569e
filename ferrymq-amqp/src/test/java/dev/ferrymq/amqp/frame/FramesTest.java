package dev.ferrymq.amqp.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferrymq.amqp.BasicProperties;
import dev.ferrymq.amqp.method.BasicAck;
import dev.ferrymq.amqp.method.BasicDeliver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FramesTest {

    /** Parses frames written by {@link Frames} with our own decoder. */
    private static List<Object> decode(ByteBuf frames, int maxFrameSize) {
        EmbeddedChannel ch = new EmbeddedChannel(new AmqpFrameDecoder(maxFrameSize));
        ch.writeInbound(Unpooled.wrappedBuffer(ProtocolHeader.BYTES), frames);
        List<Object> out = new ArrayList<>();
        for (Object o; (o = ch.readInbound()) != null; ) {
            out.add(o);
        }
        assertThat(out.remove(0)).isSameAs(ProtocolHeader.INSTANCE);
        return out;
    }

    @Test
    void writesMethodFrameLayout() {
        ByteBuf out = Unpooled.buffer();
        Frames.writeMethod(out, 258, new BasicAck(5, true));
        assertThat(ByteBufUtil.getBytes(out)).containsExactly(
                1, 1, 2, 0, 0, 0, 13, 0, 60, 0, 80, 0, 0, 0, 0, 0, 0, 0, 5, 1, 0xCE);
    }

    @Test
    void writesHeartbeat() {
        ByteBuf out = Unpooled.buffer();
        Frames.writeHeartbeat(out);
        assertThat(ByteBufUtil.getBytes(out)).containsExactly(8, 0, 0, 0, 0, 0, 0, 0xCE);
    }

    @Test
    void splitsLargeBodyWithinFrameMax() {
        byte[] body = new byte[5 * 1024 * 1024];
        new Random(7).nextBytes(body);
        int frameMax = 131072;
        ByteBuf out = Unpooled.buffer();
        Frames.writeBody(out, 3, body, frameMax);

        // walk the raw frames: each whole frame must fit in frameMax
        ByteBuf walk = out.duplicate();
        ByteBuf reassembled = Unpooled.buffer(body.length);
        int frames = 0;
        while (walk.isReadable()) {
            assertThat(walk.readUnsignedByte()).isEqualTo((short) 3);
            assertThat(walk.readUnsignedShort()).isEqualTo(3);
            int size = walk.readInt();
            assertThat(size + 8).isLessThanOrEqualTo(frameMax);
            walk.readBytes(reassembled, size);
            assertThat(walk.readUnsignedByte()).isEqualTo((short) 0xCE);
            frames++;
        }
        assertThat(frames).isEqualTo((body.length + frameMax - 9) / (frameMax - 8));
        assertThat(ByteBufUtil.getBytes(reassembled)).isEqualTo(body);

        // and our decoder accepts them at the same limit
        List<Object> decoded = decode(out, frameMax);
        assertThat(decoded).hasSize(frames).allMatch(f -> f instanceof ContentBodyFrame);
        decoded.forEach(f -> ((ContentBodyFrame) f).release());
    }

    @Test
    void bodyEdgeCases() {
        ByteBuf out = Unpooled.buffer();
        Frames.writeBody(out, 1, new byte[0], 4096);
        assertThat(out.readableBytes()).isZero();

        Frames.writeBody(out, 1, new byte[10_000], 0);
        assertThat(out.readableBytes()).isEqualTo(10_008);

        out.clear();
        Frames.writeBody(out, 1, new byte[4096 - 8], 4096);
        assertThat(out.readableBytes()).isEqualTo(4096);
        out.clear();
        Frames.writeBody(out, 1, new byte[4096 - 7], 4096);
        assertThat(out.readableBytes()).isEqualTo(4096 + 9);

        ByteBuf body = Unpooled.wrappedBuffer(new byte[] {1, 2, 3});
        Frames.writeBody(Unpooled.buffer(), 1, body, 4096);
        assertThat(body.readerIndex()).isZero();

        assertThatThrownBy(() -> Frames.writeBody(Unpooled.buffer(), 1, new byte[1], 8))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void writesCompleteDelivery() {
        byte[] body = new byte[300];
        new Random(3).nextBytes(body);
        byte[] props = BasicProperties.EMPTY.withReplyTo("r").toBytes();
        BasicDeliver deliver = new BasicDeliver("ctag", 9, false, "ex", "rk");
        ByteBuf out = Unpooled.buffer();
        Frames.writeDelivery(out, 4, deliver, props, body, 128);

        List<Object> frames = decode(out, 128);
        assertThat(frames.get(0)).isEqualTo(new MethodFrame(4, deliver));
        assertThat(frames.get(1)).isEqualTo(new ContentHeaderFrame(4, 60, 300, props));
        ByteBuf reassembled = Unpooled.buffer();
        for (Object f : frames.subList(2, frames.size())) {
            reassembled.writeBytes(((ContentBodyFrame) f).payload());
            ((ContentBodyFrame) f).release();
        }
        assertThat(frames).hasSize(2 + 3);
        assertThat(ByteBufUtil.getBytes(reassembled)).isEqualTo(body);

        assertThatThrownBy(() -> Frames.writeDelivery(Unpooled.buffer(), 1, new BasicAck(1, false), props, body, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
