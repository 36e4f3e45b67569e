package dev.ferrymq.broker.metadata;

import dev.ferrymq.broker.metadata.MetadataCommand.AddVhost;
import dev.ferrymq.broker.metadata.MetadataCommand.BindExchange;
import dev.ferrymq.broker.metadata.MetadataCommand.BindQueue;
import dev.ferrymq.broker.metadata.MetadataCommand.DeclareQueue;
import dev.ferrymq.broker.metadata.MetadataCommand.DeleteQueue;
import dev.ferrymq.broker.metadata.MetadataCommand.SetNodeEndpoint;
import dev.ferrymq.broker.metadata.MetadataCommand.ClearPermissions;
import dev.ferrymq.broker.metadata.MetadataCommand.ClearPolicy;
import dev.ferrymq.broker.metadata.MetadataCommand.ClearTopicPermission;
import dev.ferrymq.broker.metadata.MetadataCommand.DeclareExchange;
import dev.ferrymq.broker.metadata.MetadataCommand.DeleteExchange;
import dev.ferrymq.broker.metadata.MetadataCommand.DeleteUser;
import dev.ferrymq.broker.metadata.MetadataCommand.DeleteVhost;
import dev.ferrymq.broker.metadata.MetadataCommand.PutUser;
import dev.ferrymq.broker.metadata.MetadataCommand.SetPermissions;
import dev.ferrymq.broker.metadata.MetadataCommand.SetPolicy;
import dev.ferrymq.broker.metadata.MetadataCommand.SetTopicPermission;
import dev.ferrymq.broker.persistence.ArgumentsCodec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary form of a {@link MetadataCommand}, as it goes into the metadata group's log and its snapshots: a
 * one-byte op, then the command's fields in declaration order (strings as modified UTF-8, a nullable string as a
 * presence byte and the string, tables by {@link ArgumentsCodec}, a byte array and a string list each with an int
 * count first). Ops are never renumbered: a log written by one version is read by the next. Stateless.
 */
public final class MetadataCommandCodec {
    private MetadataCommandCodec() {
    }

    public static byte[] encode(MetadataCommand command) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            write(out, command);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // not from a byte array
        }
        return bytes.toByteArray();
    }

    public static MetadataCommand decode(byte[] bytes) throws IOException {
        return read(new DataInputStream(new ByteArrayInputStream(bytes)));
    }

    public static void write(DataOutputStream out, MetadataCommand command) throws IOException {
        if (command instanceof AddVhost c) {
            strings(out, 1, c.name());
        } else if (command instanceof DeleteVhost c) {
            strings(out, 2, c.name());
        } else if (command instanceof PutUser c) {
            strings(out, 3, c.name());
            out.writeInt(c.passwordHash().length);
            out.write(c.passwordHash());
            out.writeInt(c.tags().size());
            for (String tag : c.tags()) {
                out.writeUTF(tag);
            }
        } else if (command instanceof DeleteUser c) {
            strings(out, 4, c.name());
        } else if (command instanceof SetPermissions c) {
            strings(out, 5, c.user(), c.vhost(), c.configure(), c.write(), c.read());
        } else if (command instanceof ClearPermissions c) {
            strings(out, 6, c.user(), c.vhost());
        } else if (command instanceof SetTopicPermission c) {
            strings(out, 7, c.user(), c.vhost(), c.exchange(), c.write(), c.read());
        } else if (command instanceof ClearTopicPermission c) {
            strings(out, 8, c.user(), c.vhost());
            out.writeBoolean(c.exchange() != null);
            if (c.exchange() != null) {
                out.writeUTF(c.exchange());
            }
        } else if (command instanceof SetPolicy c) {
            strings(out, 9, c.vhost(), c.name());
            out.writeBoolean(c.operator());
            out.writeUTF(c.pattern());
            out.writeUTF(c.applyTo());
            out.writeInt(c.priority());
            ArgumentsCodec.write(out, c.definition());
        } else if (command instanceof ClearPolicy c) {
            strings(out, 10, c.vhost(), c.name());
            out.writeBoolean(c.operator());
        } else if (command instanceof DeclareExchange c) {
            strings(out, 11, c.vhost(), c.name(), c.type());
            out.writeBoolean(c.durable());
            out.writeBoolean(c.autoDelete());
            out.writeBoolean(c.internal());
            ArgumentsCodec.write(out, c.arguments());
        } else if (command instanceof DeleteExchange c) {
            strings(out, 12, c.vhost(), c.name());
            out.writeBoolean(c.ifUnused());
        } else if (command instanceof BindExchange c) {
            out.writeByte(13);
            out.writeBoolean(c.bind());
            out.writeUTF(c.vhost());
            out.writeUTF(c.destination());
            out.writeUTF(c.source());
            out.writeUTF(c.routingKey());
            ArgumentsCodec.write(out, c.arguments());
        } else if (command instanceof DeclareQueue c) {
            strings(out, 14, c.vhost(), c.name(), c.homeNode());
            out.writeBoolean(c.durable());
            out.writeBoolean(c.autoDelete());
            ArgumentsCodec.write(out, c.arguments());
        } else if (command instanceof DeleteQueue c) {
            strings(out, 15, c.vhost(), c.name());
        } else if (command instanceof BindQueue c) {
            out.writeByte(16);
            out.writeBoolean(c.bind());
            out.writeUTF(c.vhost());
            out.writeUTF(c.queue());
            out.writeUTF(c.exchange());
            out.writeUTF(c.routingKey());
            ArgumentsCodec.write(out, c.arguments());
        } else if (command instanceof SetNodeEndpoint c) {
            strings(out, 17, c.node(), c.host());
            out.writeInt(c.port());
            out.writeUTF(c.secret());
            out.writeLong(c.incarnation());
        } else {
            throw new IllegalArgumentException("no encoding for " + command);
        }
    }

    public static MetadataCommand read(DataInputStream in) throws IOException {
        int op = in.readUnsignedByte();
        return switch (op) {
            case 1 -> new AddVhost(in.readUTF());
            case 2 -> new DeleteVhost(in.readUTF());
            case 3 -> readPutUser(in);
            case 4 -> new DeleteUser(in.readUTF());
            case 5 -> new SetPermissions(in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF());
            case 6 -> new ClearPermissions(in.readUTF(), in.readUTF());
            case 7 -> new SetTopicPermission(in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF());
            case 8 -> new ClearTopicPermission(in.readUTF(), in.readUTF(), in.readBoolean() ? in.readUTF() : null);
            case 9 -> new SetPolicy(in.readUTF(), in.readUTF(), in.readBoolean(), in.readUTF(), in.readUTF(),
                    in.readInt(), ArgumentsCodec.read(in));
            case 10 -> new ClearPolicy(in.readUTF(), in.readUTF(), in.readBoolean());
            case 11 -> new DeclareExchange(in.readUTF(), in.readUTF(), in.readUTF(), in.readBoolean(),
                    in.readBoolean(), in.readBoolean(), ArgumentsCodec.read(in));
            case 12 -> new DeleteExchange(in.readUTF(), in.readUTF(), in.readBoolean());
            case 13 -> new BindExchange(in.readBoolean(), in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF(),
                    ArgumentsCodec.read(in));
            case 14 -> readDeclareQueue(in);
            case 15 -> new DeleteQueue(in.readUTF(), in.readUTF());
            case 16 -> new BindQueue(in.readBoolean(), in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF(),
                    ArgumentsCodec.read(in));
            case 17 -> new SetNodeEndpoint(in.readUTF(), in.readUTF(), in.readInt(), in.readUTF(), in.readLong());
            default -> throw new IOException("unknown metadata command " + op);
        };
    }

    private static DeclareQueue readDeclareQueue(DataInputStream in) throws IOException {
        String vhost = in.readUTF();
        String name = in.readUTF();
        String home = in.readUTF();
        boolean durable = in.readBoolean();
        boolean autoDelete = in.readBoolean();
        return new DeclareQueue(vhost, name, durable, autoDelete, ArgumentsCodec.read(in), home);
    }

    private static PutUser readPutUser(DataInputStream in) throws IOException {
        String name = in.readUTF();
        byte[] hash = in.readNBytes(in.readInt());
        int count = in.readInt();
        List<String> tags = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            tags.add(in.readUTF());
        }
        return new PutUser(name, hash, tags);
    }

    private static void strings(DataOutputStream out, int op, String... values) throws IOException {
        out.writeByte(op);
        for (String value : values) {
            out.writeUTF(value);
        }
    }
}
