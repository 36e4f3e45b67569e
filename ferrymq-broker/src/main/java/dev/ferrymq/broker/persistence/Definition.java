package dev.ferrymq.broker.persistence;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One durable topology change, as written to the definitions log. Each record is an op byte followed by the
 * fields of that op (strings as modified UTF-8, arguments by {@link ArgumentsCodec}). Access control (users,
 * vhosts, permissions, topic permissions) is recorded here too; user records have no vhost of their own and answer "".
 */
public sealed interface Definition {

    String vhost();

    record ExchangeDeclared(String vhost, String name, String type, boolean autoDelete, boolean internal,
                            Map<String, Object> arguments) implements Definition {
    }

    record ExchangeDeleted(String vhost, String name) implements Definition {
    }

    record QueueDeclared(String vhost, String name, boolean autoDelete, Map<String, Object> arguments)
            implements Definition {
    }

    record QueueDeleted(String vhost, String name) implements Definition {
    }

    /** A binding from exchange {@code source} to a queue or (toQueue false) an exchange. */
    record Bound(String vhost, String source, boolean toQueue, String destination, String routingKey,
                 Map<String, Object> arguments) implements Definition {
    }

    record Unbound(String vhost, String source, boolean toQueue, String destination, String routingKey,
                   Map<String, Object> arguments) implements Definition {
    }

    /** A user added or changed; the password only as its salted hash. */
    record UserPut(String name, byte[] passwordHash, List<String> tags) implements Definition {
        @Override
        public String vhost() {
            return "";
        }
    }

    record UserDeleted(String name) implements Definition {
        @Override
        public String vhost() {
            return "";
        }
    }

    record VhostAdded(String vhost) implements Definition {
    }

    /** The vhost and everything in it are gone. */
    record VhostDeleted(String vhost) implements Definition {
    }

    record PermissionSet(String vhost, String user, String configure, String write, String read)
            implements Definition {
    }

    record PermissionCleared(String vhost, String user) implements Definition {
    }

    /** A user's topic permission on one exchange set or replaced. */
    record TopicPermissionSet(String vhost, String user, String exchange, String write, String read)
            implements Definition {
    }

    record TopicPermissionCleared(String vhost, String user, String exchange) implements Definition {
    }

    /** A policy (or, {@code operator}, an operator policy) added or replaced; {@code applyTo} as in its JSON. */
    record PolicySet(String vhost, String name, boolean operator, String pattern, String applyTo, int priority,
                     Map<String, Object> definition) implements Definition {
    }

    record PolicyCleared(String vhost, String name, boolean operator) implements Definition {
    }

    static byte[] encode(Definition definition) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            if (definition instanceof ExchangeDeclared d) {
                out.writeByte(1);
                out.writeUTF(d.vhost());
                out.writeUTF(d.name());
                out.writeUTF(d.type());
                out.writeBoolean(d.autoDelete());
                out.writeBoolean(d.internal());
                ArgumentsCodec.write(out, d.arguments());
            } else if (definition instanceof ExchangeDeleted d) {
                out.writeByte(2);
                out.writeUTF(d.vhost());
                out.writeUTF(d.name());
            } else if (definition instanceof QueueDeclared d) {
                out.writeByte(3);
                out.writeUTF(d.vhost());
                out.writeUTF(d.name());
                out.writeBoolean(d.autoDelete());
                ArgumentsCodec.write(out, d.arguments());
            } else if (definition instanceof QueueDeleted d) {
                out.writeByte(4);
                out.writeUTF(d.vhost());
                out.writeUTF(d.name());
            } else if (definition instanceof Bound d) {
                out.writeByte(5);
                writeBinding(out, d.vhost(), d.source(), d.toQueue(), d.destination(), d.routingKey(),
                        d.arguments());
            } else if (definition instanceof Unbound d) {
                out.writeByte(6);
                writeBinding(out, d.vhost(), d.source(), d.toQueue(), d.destination(), d.routingKey(),
                        d.arguments());
            } else if (definition instanceof UserPut d) {
                out.writeByte(7);
                out.writeUTF(d.name());
                out.writeShort(d.passwordHash().length);
                out.write(d.passwordHash());
                out.writeShort(d.tags().size());
                for (String tag : d.tags()) {
                    out.writeUTF(tag);
                }
            } else if (definition instanceof UserDeleted d) {
                out.writeByte(8);
                out.writeUTF(d.name());
            } else if (definition instanceof VhostAdded d) {
                out.writeByte(9);
                out.writeUTF(d.vhost());
            } else if (definition instanceof VhostDeleted d) {
                out.writeByte(10);
                out.writeUTF(d.vhost());
            } else if (definition instanceof PermissionSet d) {
                out.writeByte(11);
                out.writeUTF(d.vhost());
                out.writeUTF(d.user());
                out.writeUTF(d.configure());
                out.writeUTF(d.write());
                out.writeUTF(d.read());
            } else if (definition instanceof PermissionCleared d) {
                out.writeByte(12);
                out.writeUTF(d.vhost());
                out.writeUTF(d.user());
            } else if (definition instanceof PolicySet d) {
                out.writeByte(13);
                out.writeUTF(d.vhost());
                out.writeUTF(d.name());
                out.writeBoolean(d.operator());
                out.writeUTF(d.pattern());
                out.writeUTF(d.applyTo());
                out.writeInt(d.priority());
                ArgumentsCodec.write(out, d.definition());
            } else if (definition instanceof PolicyCleared d) {
                out.writeByte(14);
                out.writeUTF(d.vhost());
                out.writeUTF(d.name());
                out.writeBoolean(d.operator());
            } else if (definition instanceof TopicPermissionSet d) {
                out.writeByte(15);
                out.writeUTF(d.vhost());
                out.writeUTF(d.user());
                out.writeUTF(d.exchange());
                out.writeUTF(d.write());
                out.writeUTF(d.read());
            } else if (definition instanceof TopicPermissionCleared d) {
                out.writeByte(16);
                out.writeUTF(d.vhost());
                out.writeUTF(d.user());
                out.writeUTF(d.exchange());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void writeBinding(DataOutputStream out, String vhost, String source, boolean toQueue,
                                     String destination, String routingKey, Map<String, Object> arguments)
            throws IOException {
        out.writeUTF(vhost);
        out.writeUTF(source);
        out.writeBoolean(toQueue);
        out.writeUTF(destination);
        out.writeUTF(routingKey);
        ArgumentsCodec.write(out, arguments);
    }

    static Definition decode(byte[] record) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(record));
        int op = in.readByte();
        return switch (op) {
            case 1 -> new ExchangeDeclared(in.readUTF(), in.readUTF(), in.readUTF(), in.readBoolean(),
                    in.readBoolean(), ArgumentsCodec.read(in));
            case 2 -> new ExchangeDeleted(in.readUTF(), in.readUTF());
            case 3 -> new QueueDeclared(in.readUTF(), in.readUTF(), in.readBoolean(), ArgumentsCodec.read(in));
            case 4 -> new QueueDeleted(in.readUTF(), in.readUTF());
            case 5 -> new Bound(in.readUTF(), in.readUTF(), in.readBoolean(), in.readUTF(), in.readUTF(),
                    ArgumentsCodec.read(in));
            case 6 -> new Unbound(in.readUTF(), in.readUTF(), in.readBoolean(), in.readUTF(), in.readUTF(),
                    ArgumentsCodec.read(in));
            case 7 -> readUserPut(in);
            case 8 -> new UserDeleted(in.readUTF());
            case 9 -> new VhostAdded(in.readUTF());
            case 10 -> new VhostDeleted(in.readUTF());
            case 11 -> new PermissionSet(in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF());
            case 12 -> new PermissionCleared(in.readUTF(), in.readUTF());
            case 13 -> new PolicySet(in.readUTF(), in.readUTF(), in.readBoolean(), in.readUTF(), in.readUTF(),
                    in.readInt(), ArgumentsCodec.read(in));
            case 14 -> new PolicyCleared(in.readUTF(), in.readUTF(), in.readBoolean());
            case 15 -> new TopicPermissionSet(in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF());
            case 16 -> new TopicPermissionCleared(in.readUTF(), in.readUTF(), in.readUTF());
            default -> throw new IOException("unknown definition record type " + op);
        };
    }

    private static UserPut readUserPut(DataInputStream in) throws IOException {
        String name = in.readUTF();
        byte[] hash = new byte[in.readUnsignedShort()];
        in.readFully(hash);
        int tagCount = in.readUnsignedShort();
        List<String> tags = new ArrayList<>(tagCount);
        for (int i = 0; i < tagCount; i++) {
            tags.add(in.readUTF());
        }
        return new UserPut(name, hash, tags);
    }
}
