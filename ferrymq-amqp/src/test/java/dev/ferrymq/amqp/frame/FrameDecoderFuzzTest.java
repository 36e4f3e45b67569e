package dev.ferrymq.amqp.frame;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymq.amqp.method.QueueDeclare;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Arbitrary input never makes the decoder throw: it yields frames, possibly ending in one FrameError. */
class FrameDecoderFuzzTest {

    @Property(tries = 500)
    void randomBytesAfterHeaderNeverThrow(@ForAll("junk") byte[] junk, @ForAll("chunk") int chunk) {
        ByteBuf all = Unpooled.buffer().writeBytes(ProtocolHeader.BYTES).writeBytes(junk);
        checkDecodes(ByteBufUtil.getBytes(all), chunk);
    }

    /** Mutations of a valid frame reach deeper into method and table decoding than pure noise. */
    @Property(tries = 1000)
    void mutatedValidFramesNeverThrow(@ForAll("positions") int position, @ForAll byte value,
                                      @ForAll("chunk") int chunk) {
        ByteBuf buf = Unpooled.buffer().writeBytes(ProtocolHeader.BYTES);
        Frames.writeMethod(buf, 1, new QueueDeclare("q", true, false, true, false, true,
                Map.of("x-args", Map.of("list", java.util.List.of(1, "a", 2.5d)), "s", "str")));
        byte[] bytes = ByteBufUtil.getBytes(buf);
        int pos = 8 + position % (bytes.length - 8);
        bytes[pos] = value;
        checkDecodes(bytes, chunk);
    }

    @Provide
    Arbitrary<byte[]> junk() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(2000);
    }

    @Provide
    Arbitrary<Integer> chunk() {
        return Arbitraries.integers().between(1, 64);
    }

    @Provide
    Arbitrary<Integer> positions() {
        return Arbitraries.integers().between(0, 10_000);
    }

    private static void checkDecodes(byte[] bytes, int chunk) {
        EmbeddedChannel ch = new EmbeddedChannel(new AmqpFrameDecoder(4096));
        for (int pos = 0; pos < bytes.length; pos += chunk) {
            ch.writeInbound(Unpooled.wrappedBuffer(bytes, pos, Math.min(chunk, bytes.length - pos)));
        }
        ch.checkException();
        boolean sawError = false;
        for (Object o; (o = ch.readInbound()) != null; ) {
            assertThat(sawError).as("nothing after a FrameError").isFalse();
            assertThat(o).isInstanceOfAny(ProtocolHeader.class, Frame.class, FrameError.class);
            sawError = o instanceof FrameError;
            ReferenceCountUtil.release(o);
        }
        ch.finishAndReleaseAll();
    }
}
