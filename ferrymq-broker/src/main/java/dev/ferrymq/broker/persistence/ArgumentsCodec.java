package dev.ferrymq.broker.persistence;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the argument tables of exchanges, queues and bindings into definition records (and replicated metadata
 * commands). The values are the
 * plain Java types the AMQP codec produces; each is written with a one-byte type tag so it reads back as the same
 * type (argument equivalence checks compare types). Also the arguments of a quorum queue's Declare entry in the
 * cluster module ({@link #encode}, {@link #decode}). Stateless and thread-safe.
 */
public final class ArgumentsCodec {
    private ArgumentsCodec() {
    }

    /** {@code table} on its own, as bytes. */
    public static byte[] encode(Map<String, Object> table) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            write(out, table);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The table {@link #encode} wrote. */
    public static Map<String, Object> decode(byte[] encoded) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded))) {
            return read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("undecodable argument table", e);
        }
    }

    public static void write(DataOutputStream out, Map<String, Object> table) throws IOException {
        out.writeInt(table.size());
        for (Map.Entry<String, Object> entry : table.entrySet()) {
            out.writeUTF(entry.getKey());
            writeValue(out, entry.getValue());
        }
    }

    public static Map<String, Object> read(DataInputStream in) throws IOException {
        int size = in.readInt();
        Map<String, Object> table = new LinkedHashMap<>();
        for (int i = 0; i < size; i++) {
            table.put(in.readUTF(), readValue(in));
        }
        return table;
    }

    @SuppressWarnings("unchecked")
    private static void writeValue(DataOutputStream out, Object value) throws IOException {
        if (value == null) {
            out.writeByte('V');
        } else if (value instanceof String s) {
            byte[] bytes = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.writeByte('S');
            out.writeInt(bytes.length);
            out.write(bytes);
        } else if (value instanceof Boolean b) {
            out.writeByte('t');
            out.writeBoolean(b);
        } else if (value instanceof Byte b) {
            out.writeByte('b');
            out.writeByte(b);
        } else if (value instanceof Short s) {
            out.writeByte('s');
            out.writeShort(s);
        } else if (value instanceof Integer i) {
            out.writeByte('I');
            out.writeInt(i);
        } else if (value instanceof Long l) {
            out.writeByte('l');
            out.writeLong(l);
        } else if (value instanceof Float f) {
            out.writeByte('f');
            out.writeFloat(f);
        } else if (value instanceof Double d) {
            out.writeByte('d');
            out.writeDouble(d);
        } else if (value instanceof BigDecimal d) {
            byte[] unscaled = d.unscaledValue().toByteArray();
            out.writeByte('D');
            out.writeInt(d.scale());
            out.writeInt(unscaled.length);
            out.write(unscaled);
        } else if (value instanceof Date date) {
            out.writeByte('T');
            out.writeLong(date.getTime());
        } else if (value instanceof byte[] bytes) {
            out.writeByte('x');
            out.writeInt(bytes.length);
            out.write(bytes);
        } else if (value instanceof Map<?, ?> map) {
            out.writeByte('F');
            write(out, (Map<String, Object>) map);
        } else if (value instanceof List<?> list) {
            out.writeByte('A');
            out.writeInt(list.size());
            for (Object element : list) {
                writeValue(out, element);
            }
        } else {
            throw new IllegalArgumentException("cannot persist argument of type " + value.getClass().getName());
        }
    }

    private static Object readValue(DataInputStream in) throws IOException {
        byte tag = in.readByte();
        return switch (tag) {
            case 'V' -> null;
            case 'S' -> new String(in.readNBytes(in.readInt()), java.nio.charset.StandardCharsets.UTF_8);
            case 't' -> in.readBoolean();
            case 'b' -> in.readByte();
            case 's' -> in.readShort();
            case 'I' -> in.readInt();
            case 'l' -> in.readLong();
            case 'f' -> in.readFloat();
            case 'd' -> in.readDouble();
            case 'D' -> {
                int scale = in.readInt();
                yield new BigDecimal(new BigInteger(in.readNBytes(in.readInt())), scale);
            }
            case 'T' -> new Date(in.readLong());
            case 'x' -> in.readNBytes(in.readInt());
            case 'F' -> read(in);
            case 'A' -> {
                int size = in.readInt();
                List<Object> list = new ArrayList<>(size);
                for (int i = 0; i < size; i++) {
                    list.add(readValue(in));
                }
                yield list;
            }
            default -> throw new IOException("unknown argument type tag " + tag);
        };
    }
}
