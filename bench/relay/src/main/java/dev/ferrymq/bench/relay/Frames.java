package dev.ferrymq.bench.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;

/** Writes the few AMQP method frames the relay sends. */
final class Frames {
    static final int METHOD = 1;
    static final int HEADER = 2;
    static final int BODY = 3;
    static final int HEARTBEAT = 8;
    static final int FRAME_END = 0xCE;

    private Frames() {
    }

    /** Starts a method frame; finish it with {@link #end}. */
    static ByteBuf method(ByteBufAllocator alloc, int channel, int classId, int methodId) {
        ByteBuf buf = alloc.buffer(64);
        buf.writeByte(METHOD).writeShort(channel).writeInt(0).writeShort(classId).writeShort(methodId);
        return buf;
    }

    static ByteBuf end(ByteBuf frame) {
        frame.setInt(3, frame.writerIndex() - 7);
        return frame.writeByte(FRAME_END);
    }

    static void shortString(ByteBuf out, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeByte(bytes.length).writeBytes(bytes);
    }

    /** connection.start: version 0-9, no server properties but a product name, PLAIN, en_US. */
    static ByteBuf connectionStart(ByteBufAllocator alloc) {
        ByteBuf f = method(alloc, 0, 10, 10).writeByte(0).writeByte(9);
        byte[] key = "product".getBytes(StandardCharsets.US_ASCII);
        byte[] value = "FerryMQ bench relay".getBytes(StandardCharsets.US_ASCII);
        f.writeInt(1 + key.length + 1 + 4 + value.length);
        f.writeByte(key.length).writeBytes(key).writeByte('S').writeInt(value.length).writeBytes(value);
        longString(f, "PLAIN");
        longString(f, "en_US");
        return end(f);
    }

    static void longString(ByteBuf out, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length).writeBytes(bytes);
    }

    /** A method frame whose arguments are all empty or zero: {@code zeros} bytes of them. */
    static ByteBuf simple(ByteBufAllocator alloc, int channel, int classId, int methodId, int zeros) {
        ByteBuf f = method(alloc, channel, classId, methodId);
        f.writeZero(zeros);
        return end(f);
    }
}
