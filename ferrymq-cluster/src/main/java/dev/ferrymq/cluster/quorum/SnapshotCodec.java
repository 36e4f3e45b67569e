package dev.ferrymq.cluster.quorum;

import dev.ferrymq.cluster.quorum.ConsumerState.Status;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Map;

/**
 * The whole {@link QuorumQueueState} as bytes, so Ratis can truncate the log below the snapshot's index: a
 * restarting replica loads the snapshot and replays only the entries after it, however many messages the
 * queue holds. Streams, so a large queue is never one byte array.
 *
 * <pre>
 *  version:byte  config  now:long  nextMessageId:long  serveCounter:long
 *  ready:     dequeueCounter:int  returned:messages  high:messages  normal:messages
 *  consumers: count:int, each: consumer id, prefetch:int, priority:int, exclusive:bool, status:byte,
 *             lastServed:long, checkedOut:messages
 *  publishers: count:int, each: publisher id, lastSeq:long
 *  declaration: declared:bool, then vhost:string name:string arguments:bytes
 *  messages = count:int, each: id:long expiresAt:long priority:int acquiredCount:int content:bytes
 * </pre>
 * Message bodies are inside the snapshot for now; a queue holding gigabytes will want them kept in a message
 * store beside the state machine (rabbit_fifo keeps only indexes and reads bodies from the log), with the
 * snapshot holding positions.
 */
public final class SnapshotCodec {
    private SnapshotCodec() {
    }

    public static void write(QuorumQueueState state, OutputStream target) throws IOException {
        WireOutput out = new WireOutput(target);
        out.writeByte(CommandCodec.VERSION);
        QueueConfigCodec.write(out, state.config);
        out.writeLong(state.now).writeLong(state.nextMessageId).writeLong(state.serveCounter);
        out.writeInt(state.ready.dequeueCounter());
        writeMessages(out, state.ready.returnedLane());
        writeMessages(out, state.ready.highLane());
        writeMessages(out, state.ready.normalLane());
        out.writeInt(state.consumers.size());
        for (ConsumerState c : state.consumers.all()) {
            CommandCodec.writeConsumer(out, c.id()).writeInt(c.prefetch()).writeInt(c.priority())
                    .writeBoolean(c.exclusive()).writeByte(c.status().ordinal()).writeLong(c.lastServed());
            writeMessages(out, c.checkedOut());
        }
        out.writeInt(state.publishers.all().size());
        for (Map.Entry<PublisherId, Long> p : state.publishers.all().entrySet()) {
            CommandCodec.writePublisher(out, p.getKey()).writeLong(p.getValue());
        }
        QueueCommand.Declare declaration = state.declaration;
        out.writeBoolean(declaration != null);
        if (declaration != null) {
            out.writeString(declaration.vhost()).writeString(declaration.name()).writeBytes(declaration.arguments());
        }
        out.flush();
    }

    /** @param size the number of bytes {@code source} holds, which bounds every length read */
    public static QuorumQueueState read(InputStream source, long size) throws IOException {
        WireInput in = new WireInput(source, size);
        CommandCodec.checkVersion(in.readByte(), "snapshot");
        QuorumQueueState state = new QuorumQueueState();
        state.config = QueueConfigCodec.read(in);
        state.now = in.readLong();
        state.nextMessageId = in.readLong();
        state.serveCounter = in.readLong();
        int dequeueCounter = in.readInt();
        readMessages(in, state.ready.returnedLane());
        readMessages(in, state.ready.highLane());
        readMessages(in, state.ready.normalLane());
        state.ready.restore(dequeueCounter);
        int consumerCount = in.readLength(1);
        for (int i = 0; i < consumerCount; i++) {
            ConsumerId id = CommandCodec.readConsumer(in);
            int prefetch = in.readInt();
            int priority = in.readInt();
            boolean exclusive = in.readBoolean();
            int status = in.readByte();
            if (status >= Status.values().length) {
                throw new IOException("unknown consumer status " + status);
            }
            ConsumerState consumer = new ConsumerState(id, prefetch, priority, exclusive, Status.values()[status],
                    in.readLong());
            ArrayDeque<QueueMessage> held = new ArrayDeque<>();
            readMessages(in, held);
            for (QueueMessage m : held) {
                consumer.checkOut(m, consumer.lastServed());
            }
            state.consumers.add(consumer);
        }
        int publisherCount = in.readLength(1);
        for (int i = 0; i < publisherCount; i++) {
            state.publishers.applied(CommandCodec.readPublisher(in), in.readLong());
        }
        if (in.readBoolean()) {
            state.declaration = new QueueCommand.Declare(in.readString(), in.readString(), in.readBytes(),
                    state.config);
        }
        in.expectEnd();
        return state;
    }

    private static void writeMessages(WireOutput out, java.util.Collection<QueueMessage> messages) {
        out.writeInt(messages.size());
        for (QueueMessage m : messages) {
            out.writeLong(m.id()).writeLong(m.expiresAt()).writeInt(m.priority()).writeInt(m.acquiredCount())
                    .writeBytes(m.content());
        }
    }

    private static void readMessages(WireInput in, ArrayDeque<QueueMessage> into) throws IOException {
        int count = in.readLength(28);
        for (int i = 0; i < count; i++) {
            into.addLast(new QueueMessage(in.readLong(), in.readLong(), in.readInt(), in.readInt(), in.readBytes()));
        }
    }
}
