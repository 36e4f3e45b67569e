package dev.ferrymq.amqp.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferrymq.amqp.AmqpException;
import dev.ferrymq.amqp.BasicProperties;
import dev.ferrymq.amqp.FieldTable;
import dev.ferrymq.amqp.Method;
import dev.ferrymq.amqp.frame.AmqpFrameDecoder;
import dev.ferrymq.amqp.frame.Frame;
import dev.ferrymq.amqp.frame.FrameError;
import dev.ferrymq.amqp.frame.ProtocolHeader;
import dev.ferrymq.amqp.method.MethodDecoder;
import dev.ferrymq.amqp.method.MethodEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.Map;

/**
 * Jazzer fuzz targets for everything that parses client bytes: the frame decoder, the method decoder, field
 * tables and basic properties. Each target accepts any input and may only fail with {@link AmqpException} (the
 * documented protocol errors); whatever decodes must re-encode to bytes that decode to the same encoding; and no
 * target may allocate much more than its input, so a length field can never make us allocate what it claims.
 *
 * <p>{@code mvn verify} replays the seed inputs under {@code src/test/resources/.../CodecFuzzTestInputs/}
 * (regression mode, a second or two); {@code JAZZER_FUZZ=1 mvn -pl ferrymq-amqp test -Dtest=CodecFuzzTest}
 * fuzzes each target for real ({@code maxDuration}), adding any crashing input there as a new regression seed.
 * The jqwik properties in {@code FrameDecoderFuzzTest} cover random and mutated frames on every build too.
 */
class CodecFuzzTest {

    static {
        decodeFrames(new byte[0], 1); // loads Netty's and our classes before any allocation is measured
    }

    @FuzzTest(maxDuration = "60s")
    void frameDecoder(FuzzedDataProvider data) {
        int chunk = data.consumeInt(1, 512);
        byte[] bytes = data.consumeRemainingAsBytes();
        AllocationBound.check(bytes.length, () -> decodeFrames(bytes, chunk));
    }

    @FuzzTest(maxDuration = "60s")
    void methodDecoder(byte[] payload) {
        AllocationBound.check(payload.length, () -> {
            Method method = expectDecodedOrProtocolError(() -> MethodDecoder.decode(Unpooled.wrappedBuffer(payload)));
            if (method != null) {
                byte[] once = encode(out -> MethodEncoder.write(out, method));
                byte[] twice = encode(out -> MethodEncoder.write(out, MethodDecoder.decode(Unpooled.wrappedBuffer(once))));
                assertThat(twice).as("re-encoding %s is stable", method.name()).isEqualTo(once);
            }
        });
    }

    @FuzzTest(maxDuration = "60s")
    void fieldTable(byte[] table) {
        AllocationBound.check(table.length, () -> {
            Map<String, Object> decoded = expectDecodedOrProtocolError(
                    () -> FieldTable.read(Unpooled.wrappedBuffer(table)));
            if (decoded != null) {
                byte[] once = encode(out -> FieldTable.write(out, decoded));
                byte[] twice = encode(out -> FieldTable.write(out, FieldTable.read(Unpooled.wrappedBuffer(once))));
                assertThat(twice).as("re-encoding a decoded table is stable").isEqualTo(once);
            }
        });
    }

    @FuzzTest(maxDuration = "60s")
    void basicProperties(byte[] properties) {
        AllocationBound.check(properties.length, () -> {
            BasicProperties decoded = expectDecodedOrProtocolError(() -> BasicProperties.decode(properties));
            if (decoded != null) {
                byte[] once = decoded.toBytes();
                assertThat(BasicProperties.decode(once).toBytes()).as("re-encoding properties is stable")
                        .isEqualTo(once);
            }
        });
    }

    // ---------------------------------------------------------------- helpers

    /** Feeds header + input in chunks; the decoder must emit frames, possibly ending in one FrameError. */
    private static void decodeFrames(byte[] input, int chunk) {
        byte[] bytes = new byte[ProtocolHeader.BYTES.length + input.length];
        System.arraycopy(ProtocolHeader.BYTES, 0, bytes, 0, ProtocolHeader.BYTES.length);
        System.arraycopy(input, 0, bytes, ProtocolHeader.BYTES.length, input.length);
        EmbeddedChannel ch = new EmbeddedChannel(new AmqpFrameDecoder(4096));
        // Unpooled: a pooled allocator reserves whole arenas on first use, which would hide what decoding costs.
        ch.config().setAllocator(UnpooledByteBufAllocator.DEFAULT);
        try {
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
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    private interface Decoding<T> {
        T decode();
    }

    private interface Encoding {
        void encode(ByteBuf out);
    }

    /** The decoded value, or null after a protocol error (AmqpException); anything else propagates and fails. */
    private static <T> T expectDecodedOrProtocolError(Decoding<T> decoding) {
        try {
            return decoding.decode();
        } catch (AmqpException protocolError) {
            assertThat(protocolError.replyCode()).as("a hard protocol error code").isBetween(500, 599);
            return null;
        }
    }

    private static byte[] encode(Encoding encoding) {
        ByteBuf out = Unpooled.buffer();
        try {
            encoding.encode(out);
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }
}
