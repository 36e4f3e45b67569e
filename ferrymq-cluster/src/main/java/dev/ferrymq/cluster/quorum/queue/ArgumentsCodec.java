package dev.ferrymq.cluster.quorum.queue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A queue's declared arguments in its group's Declare entry, so the other nodes register it with the same ones:
 * {@code count:int (name:utf tag:byte value)*}. Strings, booleans, integers of each width and floating point
 * numbers keep their type (redeclaration compares them); anything else (tables, arrays) travels as its string.
 */
final class ArgumentsCodec {
    private ArgumentsCodec() {
    }

    static byte[] encode(Map<String, Object> arguments) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(arguments.size());
            for (Map.Entry<String, Object> argument : arguments.entrySet()) {
                out.writeUTF(argument.getKey());
                Object value = argument.getValue();
                if (value instanceof Boolean b) {
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
                } else {
                    out.writeByte('S');
                    out.writeUTF(String.valueOf(value));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Map<String, Object> decode(byte[] encoded) {
        Map<String, Object> arguments = new LinkedHashMap<>();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded))) {
            int count = in.readInt();
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                int tag = in.readByte();
                arguments.put(name, switch (tag) {
                    case 't' -> in.readBoolean();
                    case 'b' -> in.readByte();
                    case 's' -> in.readShort();
                    case 'I' -> in.readInt();
                    case 'l' -> in.readLong();
                    case 'f' -> in.readFloat();
                    case 'd' -> in.readDouble();
                    case 'S' -> in.readUTF();
                    default -> throw new IOException("unknown argument type " + tag);
                });
            }
        } catch (IOException e) {
            throw new UncheckedIOException("undecodable quorum queue arguments", e);
        }
        return arguments;
    }
}
