package dev.ferrymq.cluster.quorum;

import dev.ferrymq.cluster.quorum.QueueCommand.Batch;
import dev.ferrymq.cluster.quorum.QueueCommand.Cancel;
import dev.ferrymq.cluster.quorum.QueueCommand.Checkout;
import dev.ferrymq.cluster.quorum.QueueCommand.Configure;
import dev.ferrymq.cluster.quorum.QueueCommand.Declare;
import dev.ferrymq.cluster.quorum.QueueCommand.Delete;
import dev.ferrymq.cluster.quorum.QueueCommand.ConsumerDown;
import dev.ferrymq.cluster.quorum.QueueCommand.Credit;
import dev.ferrymq.cluster.quorum.QueueCommand.Dequeue;
import dev.ferrymq.cluster.quorum.QueueCommand.Discard;
import dev.ferrymq.cluster.quorum.QueueCommand.Enqueue;
import dev.ferrymq.cluster.quorum.QueueCommand.NodeDown;
import dev.ferrymq.cluster.quorum.QueueCommand.Purge;
import dev.ferrymq.cluster.quorum.QueueCommand.Return;
import dev.ferrymq.cluster.quorum.QueueCommand.Settle;
import dev.ferrymq.cluster.quorum.QueueCommand.Tick;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary form of {@link QueueCommand}s (what a client proposes) and {@link LogEntry}s (what the leader writes to
 * the log: its timestamp in front of the proposed bytes).
 *
 * <pre>
 *  command:   +---------+------+----------------------------+
 *             | version | type | fields (per type, below)   |
 *             |  1 byte |1 byte|                            |
 *             +---------+------+----------------------------+
 *  log entry: +---------+-------------------+---------------+
 *             | version | leader time (ms)  | command bytes |
 *             |  1 byte |  8 bytes          |               |
 *             +---------+-------------------+---------------+
 *  types: 1 configure, 2 enqueue, 3 checkout, 4 cancel, 5 settle, 6 return, 7 discard, 8 purge, 9 credit,
 *         10 consumer down, 11 node down, 12 tick, 13 dequeue,
 *         14 declare (vhost:string name:string arguments:byte[] config), 15 delete,
 *         16 batch (count:int, then each command's bytes as a byte[]; batches do not nest)
 *  consumer id  = node:string connection:long channel:int tag:string
 *  publisher id = node:string connection:long channel:int
 *  string, byte[] = int length + bytes;  id list = int count + longs
 * </pre>
 * A reader refuses versions it does not know, so a newer node's entries fail loudly on an older one rather than
 * being misread; add a version (and keep decoding the old one) when a field is added.
 */
public final class CommandCodec {
    static final int VERSION = 1;

    private static final int CONFIGURE = 1;
    private static final int ENQUEUE = 2;
    private static final int CHECKOUT = 3;
    private static final int CANCEL = 4;
    private static final int SETTLE = 5;
    private static final int RETURN = 6;
    private static final int DISCARD = 7;
    private static final int PURGE = 8;
    private static final int CREDIT = 9;
    private static final int CONSUMER_DOWN = 10;
    private static final int NODE_DOWN = 11;
    private static final int TICK = 12;
    private static final int DEQUEUE = 13;
    private static final int DECLARE = 14;
    private static final int DELETE = 15;
    private static final int BATCH = 16;

    private CommandCodec() {
    }

    public static byte[] encode(QueueCommand command) {
        WireOutput out = new WireOutput();
        writeCommand(out, command);
        return out.toByteArray();
    }

    public static QueueCommand decode(byte[] bytes) throws IOException {
        WireInput in = new WireInput(bytes);
        QueueCommand command = readCommand(in);
        in.expectEnd();
        return command;
    }

    /**
     * A {@link Batch} of commands already encoded one by one (as {@link #encode} gives them): a node encodes each
     * command when it is proposed and joins them when the batch is sent.
     */
    public static byte[] encodeBatch(List<byte[]> encodedCommands) {
        WireOutput out = new WireOutput().writeByte(VERSION).writeByte(BATCH).writeInt(encodedCommands.size());
        for (byte[] command : encodedCommands) {
            out.writeBytes(command);
        }
        return out.toByteArray();
    }

    /** The leader's log entry for proposed command bytes, which are checked to decode first. */
    public static byte[] encodeEntry(long timestamp, byte[] commandBytes) throws IOException {
        decode(commandBytes);
        WireOutput out = new WireOutput().writeByte(VERSION).writeLong(timestamp);
        byte[] head = out.toByteArray();
        byte[] entry = new byte[head.length + commandBytes.length];
        System.arraycopy(head, 0, entry, 0, head.length);
        System.arraycopy(commandBytes, 0, entry, head.length, commandBytes.length);
        return entry;
    }

    public static LogEntry decodeEntry(byte[] bytes) throws IOException {
        WireInput in = new WireInput(bytes);
        checkVersion(in.readByte(), "log entry");
        long timestamp = in.readLong();
        QueueCommand command = readCommand(in);
        in.expectEnd();
        return new LogEntry(timestamp, command);
    }

    private static void writeCommand(WireOutput out, QueueCommand command) {
        out.writeByte(VERSION);
        if (command instanceof Configure c) {
            QueueConfigCodec.write(out.writeByte(CONFIGURE), c.config());
        } else if (command instanceof Enqueue e) {
            writePublisher(out.writeByte(ENQUEUE), e.publisher())
                    .writeLong(e.seq()).writeInt(e.priority()).writeLong(e.expiration()).writeBytes(e.content());
        } else if (command instanceof Checkout c) {
            writeConsumer(out.writeByte(CHECKOUT), c.consumer())
                    .writeInt(c.prefetch()).writeInt(c.priority()).writeBoolean(c.exclusive());
        } else if (command instanceof Dequeue d) {
            writeConsumer(out.writeByte(DEQUEUE), d.getter()).writeBoolean(d.autoAck());
        } else if (command instanceof Cancel c) {
            writeConsumer(out.writeByte(CANCEL), c.consumer());
        } else if (command instanceof Settle s) {
            writeConsumer(out.writeByte(SETTLE), s.consumer()).writeLongs(s.messageIds());
        } else if (command instanceof Return r) {
            writeConsumer(out.writeByte(RETURN), r.consumer()).writeLongs(r.messageIds());
        } else if (command instanceof Discard d) {
            writeConsumer(out.writeByte(DISCARD), d.consumer()).writeLongs(d.messageIds());
        } else if (command instanceof Purge) {
            out.writeByte(PURGE);
        } else if (command instanceof Credit c) {
            writeConsumer(out.writeByte(CREDIT), c.consumer()).writeInt(c.prefetch());
        } else if (command instanceof ConsumerDown d) {
            writeConsumer(out.writeByte(CONSUMER_DOWN), d.consumer());
        } else if (command instanceof NodeDown n) {
            out.writeByte(NODE_DOWN).writeString(n.node());
        } else if (command instanceof Tick) {
            out.writeByte(TICK);
        } else if (command instanceof Declare d) {
            QueueConfigCodec.write(out.writeByte(DECLARE).writeString(d.vhost()).writeString(d.name())
                    .writeBytes(d.arguments()), d.config());
        } else if (command instanceof Delete) {
            out.writeByte(DELETE);
        } else if (command instanceof Batch b) {
            out.writeByte(BATCH).writeInt(b.commands().size());
            b.commands().forEach(inner -> out.writeBytes(encode(inner)));
        } else {
            throw new IllegalArgumentException("unknown command " + command);
        }
    }

    private static QueueCommand readCommand(WireInput in) throws IOException {
        checkVersion(in.readByte(), "command");
        int type = in.readByte();
        return switch (type) {
            case CONFIGURE -> new Configure(QueueConfigCodec.read(in));
            case ENQUEUE -> new Enqueue(readPublisher(in), in.readLong(), in.readInt(), in.readLong(), in.readBytes());
            case CHECKOUT -> new Checkout(readConsumer(in), in.readInt(), in.readInt(), in.readBoolean());
            case CANCEL -> new Cancel(readConsumer(in));
            case SETTLE -> new Settle(readConsumer(in), in.readLongs());
            case RETURN -> new Return(readConsumer(in), in.readLongs());
            case DISCARD -> new Discard(readConsumer(in), in.readLongs());
            case PURGE -> new Purge();
            case CREDIT -> new Credit(readConsumer(in), in.readInt());
            case CONSUMER_DOWN -> new ConsumerDown(readConsumer(in));
            case NODE_DOWN -> new NodeDown(in.readString());
            case TICK -> new Tick();
            case DEQUEUE -> new Dequeue(readConsumer(in), in.readBoolean());
            case DECLARE -> new Declare(in.readString(), in.readString(), in.readBytes(), QueueConfigCodec.read(in));
            case DELETE -> new Delete();
            case BATCH -> readBatch(in);
            default -> throw new IOException("unknown quorum queue command type " + type);
        };
    }

    private static Batch readBatch(WireInput in) throws IOException {
        int count = in.readInt();
        if (count <= 0) {
            throw new IOException("a batch of " + count + " commands");
        }
        List<QueueCommand> commands = new ArrayList<>(Math.min(count, 4096));
        for (int i = 0; i < count; i++) {
            QueueCommand command = decode(in.readBytes());
            if (command instanceof Batch) {
                throw new IOException("a batch inside a batch");
            }
            commands.add(command);
        }
        return new Batch(commands);
    }

    static WireOutput writeConsumer(WireOutput out, ConsumerId id) {
        return out.writeString(id.node()).writeLong(id.connection()).writeInt(id.channel()).writeString(id.tag());
    }

    static ConsumerId readConsumer(WireInput in) throws IOException {
        return new ConsumerId(in.readString(), in.readLong(), in.readInt(), in.readString());
    }

    static WireOutput writePublisher(WireOutput out, PublisherId id) {
        return out.writeString(id.node()).writeLong(id.connection()).writeInt(id.channel());
    }

    static PublisherId readPublisher(WireInput in) throws IOException {
        return new PublisherId(in.readString(), in.readLong(), in.readInt());
    }

    static void checkVersion(int version, String what) throws IOException {
        if (version != VERSION) {
            throw new IOException("unsupported " + what + " format version " + version);
        }
    }
}
