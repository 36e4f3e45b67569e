package dev.ferrymq.amqp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;

/**
 * Primitive string encodings of AMQP 0-9-1.
 *
 * <pre>
 *   shortstr: +-------+----------------+      longstr: +--------+----------------+
 *             | len 1 | len UTF-8 bytes|               | len 4  | len raw bytes  |
 *             +-------+----------------+               +--------+----------------+
 * </pre>
 *
 * <p>Readers check every length against the readable bytes before allocating and throw
 * {@link AmqpException} 502 SYNTAX_ERROR when it does not fit.
 */
public final class Wire {

    private static final byte[] EMPTY = new byte[0];

    private Wire() {}

    public static String readShortString(ByteBuf in) {
        int len = in.readUnsignedByte();
        checkReadable(in, len, "short string");
        if (isAscii(in, in.readerIndex(), len)) { // the usual case: names and keys; ASCII is valid UTF-8
            String s = len == 0 ? "" : in.toString(in.readerIndex(), len, StandardCharsets.US_ASCII);
            in.skipBytes(len);
            return s;
        }
        // Malformed UTF-8 would decode to replacement characters that re-encode to more than 255 bytes, and
        // names are echoed back (basic.deliver, declare-ok), so such a string is refused here.
        if (!ByteBufUtil.isText(in, in.readerIndex(), len, StandardCharsets.UTF_8)) {
            throw AmqpException.connection(ReplyCode.SYNTAX_ERROR, "short string is not valid UTF-8");
        }
        return len == 0 ? "" : in.readCharSequence(len, StandardCharsets.UTF_8).toString();
    }

    private static boolean isAscii(ByteBuf in, int index, int len) {
        int i = index;
        int end = index + len;
        for (; i + 8 <= end; i += 8) {
            if ((in.getLong(i) & 0x8080_8080_8080_8080L) != 0) {
                return false;
            }
        }
        for (; i < end; i++) {
            if (in.getByte(i) < 0) {
                return false;
            }
        }
        return true;
    }

    public static void skipShortString(ByteBuf in) {
        int len = in.readUnsignedByte();
        checkReadable(in, len, "short string");
        in.skipBytes(len);
    }

    /** Writes {@code s} (null = empty). @throws IllegalArgumentException if longer than 255 UTF-8 bytes */
    public static void writeShortString(ByteBuf out, String s) {
        if (s == null || s.isEmpty()) {
            out.writeByte(0);
            return;
        }
        // String.getBytes checks for ASCII with a vectorised intrinsic and copies in one go; counting and then
        // encoding char by char cost 6% of a 1 KB delivery loop (basic.deliver's three short strings).
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > 255) {
            throw new IllegalArgumentException("short string exceeds 255 bytes (" + utf8.length + ")");
        }
        out.writeByte(utf8.length);
        out.writeBytes(utf8);
    }

    public static byte[] readLongString(ByteBuf in) {
        int len = readLength(in, "long string");
        if (len == 0) {
            return EMPTY;
        }
        byte[] bytes = new byte[len];
        in.readBytes(bytes);
        return bytes;
    }

    public static void skipLongString(ByteBuf in) {
        in.skipBytes(readLength(in, "long string"));
    }

    /** Writes {@code bytes} (null = empty). */
    public static void writeLongString(ByteBuf out, byte[] bytes) {
        if (bytes == null) {
            out.writeInt(0);
            return;
        }
        out.writeInt(bytes.length);
        out.writeBytes(bytes);
    }

    /** Reads an unsigned 32-bit length and checks that many bytes are readable. */
    static int readLength(ByteBuf in, String what) {
        long len = in.readUnsignedInt();
        checkReadable(in, len, what);
        return (int) len;
    }

    static void checkReadable(ByteBuf in, long len, String what) {
        if (len > in.readableBytes()) {
            throw AmqpException.connection(ReplyCode.SYNTAX_ERROR,
                    what + " length " + len + " exceeds remaining " + in.readableBytes() + " bytes");
        }
    }
}
