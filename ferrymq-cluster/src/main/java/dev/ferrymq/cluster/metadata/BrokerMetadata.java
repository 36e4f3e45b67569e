package dev.ferrymq.cluster.metadata;

import dev.ferrymq.broker.Broker;
import dev.ferrymq.broker.metadata.MetadataAnswer;
import dev.ferrymq.broker.metadata.MetadataCommand;
import dev.ferrymq.broker.metadata.MetadataCommandCodec;
import dev.ferrymq.broker.metadata.MetadataSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The replicated metadata as this node's {@link Broker} holds it: each command of the log is a {@link
 * MetadataCommand} applied to the broker ({@link Broker#applyReplicated}), answered with {@link MetadataAnswer}
 * (a refusal is an answer). Commands this broker applied before it stopped ({@link AppliedIndex}) are skipped.
 *
 * <p>Snapshot body:
 * <pre>
 *   long  index of the last command applied
 *   int   command count
 *   ...   MetadataCommandCodec records recreating the state (MetadataSnapshot.capture)
 * </pre>
 * Reading a snapshot newer than what the broker applied makes its metadata the snapshot's ({@link
 * MetadataSnapshot#restore}); an older one is ignored (the broker is further already). Called on the metadata
 * group's apply thread only.
 */
public final class BrokerMetadata implements ReplicatedMetadata {
    private static final Logger log = LoggerFactory.getLogger(BrokerMetadata.class);

    private final Broker broker;
    private final AppliedIndex applied;
    private volatile Consumer<MetadataCommand> afterApplying = command -> { };

    /** @param appliedIndexFile where the index of the last applied command is kept (beside the Raft storage) */
    public BrokerMetadata(Broker broker, Path appliedIndexFile) {
        this.broker = broker;
        this.applied = new AppliedIndex(appliedIndexFile);
    }

    @Override
    public byte[] apply(long index, byte[] command) {
        if (index <= applied.get()) {
            return new byte[0]; // replayed after a restart: the broker has it already
        }
        if (command.length == 0) { // a barrier (RaftMetadataReplication.awaitCaughtUp): changes nothing
            applied.set(index);
            return command;
        }
        byte[] answer;
        try {
            MetadataCommand decoded = MetadataCommandCodec.decode(command);
            answer = MetadataAnswer.of(decoded, broker::applyReplicated);
            afterApplying.accept(decoded);
        } catch (IOException e) {
            log.error("metadata command at {} cannot be decoded (a newer version's?); skipped", index, e);
            answer = new byte[0];
        }
        applied.set(index);
        return answer;
    }

    @Override
    public void writeSnapshot(DataOutputStream out) throws IOException {
        List<MetadataCommand> state = MetadataSnapshot.capture(broker);
        out.writeLong(applied.get());
        out.writeInt(state.size());
        for (MetadataCommand command : state) {
            MetadataCommandCodec.write(out, command);
        }
    }

    @Override
    public void readSnapshot(DataInputStream in) throws IOException {
        long index = in.readLong();
        int count = in.readInt();
        List<MetadataCommand> state = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            state.add(MetadataCommandCodec.read(in));
        }
        if (index <= applied.get()) {
            return;
        }
        MetadataSnapshot.restore(broker, state);
        applied.set(index);
        afterApplying.accept(null);
        log.info("metadata restored from a snapshot at log index {} ({} definitions)", index, count);
    }

    /** Runs {@code listener} after each command applied, and with null after a snapshot was restored. */
    public void afterApplying(Consumer<MetadataCommand> listener) {
        afterApplying = listener;
    }

    /** Whether this broker has applied commands before (a restart rather than a first start). */
    public boolean hasAppliedBefore() {
        return applied.get() >= 0;
    }

    /** Nothing: the broker's metadata is on its own disk, and {@link AppliedIndex} says how far it is. */
    @Override
    public void clear() {
    }
}
