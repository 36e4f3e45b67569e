package dev.ferrymq.amqp;

import io.netty.buffer.ByteBuf;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AMQP 0-9-1 field tables and arrays, with RabbitMQ's type tags.
 *
 * <pre>
 *   table: +----------+-------------------------------------------------+
 *          | size (4) | name(shortstr) tag(1) value | name tag value | ... |
 *          +----------+-------------------------------------------------+
 *   array: +----------+----------------------------+
 *          | size (4) | tag(1) value | tag value ...|
 *          +----------+----------------------------+
 *   decimal: scale(1) unscaled(signed 4)     timestamp: seconds(8)
 * </pre>
 *
 * <p>Decoded types: t Boolean, b Byte, B Short (unsigned octet), s Short, u Integer (unsigned short),
 * I Integer, i Long (unsigned int), l Long, f Float, d Double, D BigDecimal, S String (UTF-8),
 * A List, T Date, F Map, V null, x byte[]. Decoding errors raise {@link AmqpException} 502; lengths
 * are checked against the readable bytes before anything is allocated and nesting is bounded.
 */
public final class FieldTable {

    /** Maximum nesting of tables/arrays accepted on read and write. */
    public static final int MAX_DEPTH = 64;

    private FieldTable() {}

    /** Reads a length-prefixed table into an insertion-ordered map. */
    public static Map<String, Object> read(ByteBuf in) {
        try {
            return readTable(in, 0);
        } catch (IndexOutOfBoundsException e) {
            throw syntax("truncated field table");
        }
    }

    /** Writes {@code table} with its length prefix; null writes an empty table. */
    public static void write(ByteBuf out, Map<String, ?> table) {
        writeTable(out, table, 0);
    }

    /** Reads a length-prefixed field array. */
    public static List<Object> readArray(ByteBuf in) {
        try {
            return readArray(in, 0);
        } catch (IndexOutOfBoundsException e) {
            throw syntax("truncated field array");
        }
    }

    /** Writes a length-prefixed field array; null writes an empty array. */
    public static void writeArray(ByteBuf out, List<?> values) {
        writeArray(out, values, 0);
    }

    /** Reads one type tag and its value. */
    public static Object readValue(ByteBuf in) {
        try {
            return readValue(in, 0);
        } catch (IndexOutOfBoundsException e) {
            throw syntax("truncated field value");
        }
    }

    /** Writes the type tag and value for {@code value}. @throws IllegalArgumentException for unsupported types */
    public static void writeValue(ByteBuf out, Object value) {
        writeValue(out, value, 0);
    }

    // ---------------------------------------------------------------- read

    private static Map<String, Object> readTable(ByteBuf in, int depth) {
        checkDepth(depth);
        ByteBuf body = in.readSlice(Wire.readLength(in, "field table"));
        Map<String, Object> map = new LinkedHashMap<>();
        while (body.isReadable()) {
            String name = Wire.readShortString(body);
            map.put(name, readValue(body, depth));
        }
        return map;
    }

    private static List<Object> readArray(ByteBuf in, int depth) {
        checkDepth(depth);
        ByteBuf body = in.readSlice(Wire.readLength(in, "field array"));
        List<Object> list = new ArrayList<>();
        while (body.isReadable()) {
            list.add(readValue(body, depth));
        }
        return list;
    }

    private static Object readValue(ByteBuf in, int depth) {
        byte tag = in.readByte();
        return switch (tag) {
            case 't' -> in.readUnsignedByte() != 0;
            case 'b' -> in.readByte();
            case 'B' -> in.readUnsignedByte();
            case 's' -> in.readShort();
            case 'u' -> in.readUnsignedShort();
            case 'I' -> in.readInt();
            case 'i' -> in.readUnsignedInt();
            case 'l' -> in.readLong();
            case 'f' -> in.readFloat();
            case 'd' -> in.readDouble();
            case 'D' -> {
                int scale = in.readUnsignedByte();
                yield new BigDecimal(BigInteger.valueOf(in.readInt()), scale);
            }
            case 'S' -> {
                int len = Wire.readLength(in, "string value");
                yield in.readCharSequence(len, StandardCharsets.UTF_8).toString();
            }
            case 'x' -> {
                byte[] bytes = new byte[Wire.readLength(in, "byte array value")];
                in.readBytes(bytes);
                yield bytes;
            }
            case 'A' -> readArray(in, depth + 1);
            case 'T' -> new Date(in.readLong() * 1000L);
            case 'F' -> readTable(in, depth + 1);
            case 'V' -> null;
            default -> throw syntax("unknown field type tag 0x" + Integer.toHexString(tag & 0xFF));
        };
    }

    // ---------------------------------------------------------------- write

    private static void writeTable(ByteBuf out, Map<?, ?> table, int depth) {
        checkWriteDepth(depth);
        int sizeIndex = out.writerIndex();
        out.writeInt(0);
        if (table != null) {
            for (Map.Entry<?, ?> e : table.entrySet()) {
                if (!(e.getKey() instanceof CharSequence key)) {
                    throw new IllegalArgumentException("field table key must be a string: " + e.getKey());
                }
                Wire.writeShortString(out, key.toString());
                writeValue(out, e.getValue(), depth);
            }
        }
        patchSize(out, sizeIndex);
    }

    private static void writeArray(ByteBuf out, List<?> values, int depth) {
        checkWriteDepth(depth);
        int sizeIndex = out.writerIndex();
        out.writeInt(0);
        if (values != null) {
            for (Object v : values) {
                writeValue(out, v, depth);
            }
        }
        patchSize(out, sizeIndex);
    }

    private static void writeValue(ByteBuf out, Object value, int depth) {
        if (value == null) {
            out.writeByte('V');
        } else if (value instanceof Boolean b) {
            out.writeByte('t').writeByte(b ? 1 : 0);
        } else if (value instanceof Byte b) {
            out.writeByte('b').writeByte(b);
        } else if (value instanceof Short s) {
            out.writeByte('s').writeShort(s);
        } else if (value instanceof Integer i) {
            out.writeByte('I').writeInt(i);
        } else if (value instanceof Long l) {
            out.writeByte('l').writeLong(l);
        } else if (value instanceof Float f) {
            out.writeByte('f').writeFloat(f);
        } else if (value instanceof Double d) {
            out.writeByte('d').writeDouble(d);
        } else if (value instanceof BigDecimal d) {
            writeDecimal(out, d);
        } else if (value instanceof CharSequence s) {
            out.writeByte('S');
            int sizeIndex = out.writerIndex();
            out.writeInt(0);
            out.writeCharSequence(s, StandardCharsets.UTF_8);
            patchSize(out, sizeIndex);
        } else if (value instanceof byte[] bytes) {
            out.writeByte('x').writeInt(bytes.length).writeBytes(bytes);
        } else if (value instanceof Date d) {
            out.writeByte('T').writeLong(d.getTime() / 1000L);
        } else if (value instanceof Map<?, ?> m) {
            out.writeByte('F');
            writeTable(out, m, depth + 1);
        } else if (value instanceof List<?> l) {
            out.writeByte('A');
            writeArray(out, l, depth + 1);
        } else if (value instanceof Object[] a) {
            out.writeByte('A');
            writeArray(out, Arrays.asList(a), depth + 1);
        } else {
            throw new IllegalArgumentException("unsupported field value type " + value.getClass().getName());
        }
    }

    private static void writeDecimal(ByteBuf out, BigDecimal d) {
        BigInteger unscaled = d.unscaledValue();
        if (d.scale() < 0 || d.scale() > 255 || unscaled.bitLength() > 31) {
            throw new IllegalArgumentException("decimal out of AMQP range (scale 0..255, 32-bit unscaled): " + d);
        }
        out.writeByte('D').writeByte(d.scale()).writeInt(unscaled.intValue());
    }

    /** Fills the 4-byte size placeholder at {@code sizeIndex} with the bytes written after it. */
    private static void patchSize(ByteBuf out, int sizeIndex) {
        out.setInt(sizeIndex, out.writerIndex() - sizeIndex - 4);
    }

    private static void checkDepth(int depth) {
        if (depth > MAX_DEPTH) {
            throw syntax("field table nesting exceeds " + MAX_DEPTH);
        }
    }

    private static void checkWriteDepth(int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("field table nesting exceeds " + MAX_DEPTH);
        }
    }

    private static AmqpException syntax(String detail) {
        return AmqpException.connection(ReplyCode.SYNTAX_ERROR, detail);
    }
}
