package dev.ferrymq.cluster.metadata;

import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The state machine of the metadata group: applies the group's command log, in log order, to {@link
 * ReplicatedMetadata}, and snapshots it so that the log can be purged (Ratis triggers a snapshot every
 * {@code RaftSettings.SNAPSHOT_EVERY_ENTRIES} entries). A node starting up loads its latest snapshot and replays
 * the log after it; a follower too far behind is sent the leader's snapshot and reloads it ({@link #reinitialize}).
 *
 * <p>Snapshot file ({@code <storage>/<group>/sm/snapshot.<term>_<index>}, with an {@code .md5} beside it):
 * <pre>
 *   int   MAGIC ("FMQM")
 *   int   FORMAT_VERSION (1)
 *   ...   ReplicatedMetadata.writeSnapshot
 * </pre>
 * It is written to a temporary file and renamed, so a crash never leaves half a snapshot under the final name.
 *
 * <p>Threads: Ratis calls {@link #applyTransaction} and {@link #takeSnapshot} on the group's apply thread; both,
 * and loading, synchronize on this object, so readers of the metadata can too.
 */
public final class MetadataStateMachine extends BaseStateMachine {
    private static final Logger log = LoggerFactory.getLogger(MetadataStateMachine.class);
    static final int MAGIC = 0x464d514d; // "FMQM"
    static final int FORMAT_VERSION = 1;

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final ReplicatedMetadata metadata;
    private volatile RaftPeerId leader;

    public MetadataStateMachine(ReplicatedMetadata metadata) {
        this.metadata = metadata;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        loadLatestSnapshot();
        getLifeCycle().transition(LifeCycle.State.STARTING);
        getLifeCycle().transition(LifeCycle.State.RUNNING); // so that pause() can pause it
    }

    /**
     * Before the leader's snapshot is installed here. Ratis checks that the state machine is PAUSED before it
     * calls {@link #reinitialize} (BaseStateMachine's pause does nothing, and the install then fails).
     */
    @Override
    public void pause() {
        getLifeCycle().transition(LifeCycle.State.PAUSING);
        getLifeCycle().transition(LifeCycle.State.PAUSED);
    }

    /** After a snapshot was installed from the leader: the state is the snapshot's. */
    @Override
    public void reinitialize() throws IOException {
        loadLatestSnapshot();
        getLifeCycle().transition(LifeCycle.State.STARTING);
        getLifeCycle().transition(LifeCycle.State.RUNNING);
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext transaction) {
        LogEntryProto entry = transaction.getLogEntry();
        byte[] command = entry.getStateMachineLogEntry().getLogData().toByteArray();
        byte[] answer;
        synchronized (this) {
            answer = metadata.apply(entry.getIndex(), command);
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
            notifyAll(); // awaitApplied
        }
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(answer)));
    }

    @Override
    public synchronized long takeSnapshot() throws IOException {
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() < 0) {
            return RaftLog.INVALID_LOG_INDEX;
        }
        File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        File temporary = new File(file.getParentFile(), file.getName() + ".tmp");
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(
                temporary.toPath())))) {
            out.writeInt(MAGIC);
            out.writeInt(FORMAT_VERSION);
            metadata.writeSnapshot(out);
        }
        Files.move(temporary.toPath(), file.toPath(), StandardCopyOption.ATOMIC_MOVE);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(),
                MD5FileUtil.computeAndSaveMd5ForFile(file)), last));
        log.debug("metadata snapshot at {}", last);
        return last.getIndex();
    }

    private synchronized void loadLatestSnapshot() throws IOException {
        SingleFileSnapshotInfo snapshot = storage.loadLatestSnapshot();
        if (snapshot == null) {
            metadata.clear();
            return;
        }
        File file = snapshot.getFile().getPath().toFile();
        if (snapshot.hasMd5()) {
            MD5FileUtil.verifySavedMD5(file, snapshot.getFile().getFileDigest());
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file.toPath())))) {
            if (in.readInt() != MAGIC || in.readInt() != FORMAT_VERSION) {
                throw new IOException("not a FerryMQ metadata snapshot (or a newer format): " + file);
            }
            metadata.readSnapshot(in);
        }
        setLastAppliedTermIndex(snapshot.getTermIndex());
        notifyAll(); // awaitApplied
        log.info("metadata loaded from snapshot at {}", snapshot.getTermIndex());
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId member, RaftPeerId newLeader) {
        if (newLeader != null && !newLeader.equals(leader)) {
            log.info("{}: metadata group leader is now {}", member.getPeerId(), newLeader);
        }
        leader = newLeader;
    }

    /**
     * Waits until this node has applied the log up to {@code index} (a command committed elsewhere is answered
     * to a client here only once it holds here too); false if that takes longer than {@code timeoutMillis}.
     */
    public synchronized boolean awaitApplied(long index, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (appliedIndex() < index) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    private long appliedIndex() {
        TermIndex last = getLastAppliedTermIndex();
        return last == null ? RaftLog.INVALID_LOG_INDEX : last.getIndex();
    }

    /** Runs {@code reader} on the metadata while no command is being applied. */
    public synchronized <T> T read(Function<ReplicatedMetadata, T> reader) {
        return reader.apply(metadata);
    }
}
