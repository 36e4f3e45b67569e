package dev.ferrymq.cluster.quorum;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.MD5FileUtil;

/**
 * One quorum queue's replica inside a Ratis group: decodes committed entries, applies them to a
 * {@link QuorumQueueState}, answers the proposer with an encoded {@link Reply} and reports the effects to an
 * {@link EffectListener}.
 *
 * <p>Clients propose bare {@link CommandCodec command bytes}. {@link #startTransaction}, which runs only on
 * the leader, checks they decode and puts the leader's clock in front ({@link LogEntry}): that timestamp is
 * the only time apply ever sees.
 *
 * <p>Snapshots are one file per snapshot in Ratis' {@link SimpleStateMachineStorage} layout
 * ({@code snapshot.<term>_<index>} plus its MD5), written to a temporary name and renamed, so a crash never
 * leaves half a snapshot under a valid name. Once one exists Ratis may purge the log below it.
 *
 * <p>Threads: Ratis applies entries and takes snapshots on its state machine updater thread; queries and
 * {@link #stats()} come from others, so all access to the state holds this object's lock.
 */
public class QuorumQueueStateMachine extends BaseStateMachine {
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final EffectListener listener;
    private final LongSupplier leaderClock;
    private final AtomicLong appliedSinceStart = new AtomicLong();
    private QuorumQueueState state = new QuorumQueueState(); // guarded by this
    private volatile boolean leader;

    public QuorumQueueStateMachine(EffectListener listener) {
        this(listener, System::currentTimeMillis);
    }

    /** @param leaderClock the time the leader stamps on entries (tests pass their own) */
    public QuorumQueueStateMachine(EffectListener listener, LongSupplier leaderClock) {
        this.listener = listener;
        this.leaderClock = leaderClock;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        reinitialize();
    }

    /** Also called by Ratis after it installed a snapshot sent by the leader. */
    @Override
    public void reinitialize() throws IOException {
        loadSnapshot(storage.loadLatestSnapshot());
    }

    @Override
    public SimpleStateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public TransactionContext startTransaction(RaftClientRequest request) {
        TransactionContext.Builder transaction = TransactionContext.newBuilder()
                .setStateMachine(this)
                .setClientRequest(request);
        byte[] entry;
        try {
            entry = CommandCodec.encodeEntry(leaderClock.getAsLong(), request.getMessage().getContent().toByteArray());
        } catch (IOException e) {
            // Set, not thrown: Ratis then answers with a StateMachineException, which clients do not retry.
            TransactionContext refused = transaction.build();
            refused.setException(e);
            return refused;
        }
        return transaction.setLogData(UnsafeByteOperations.unsafeWrap(entry)).build();
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        LogEntry decoded;
        try {
            decoded = CommandCodec.decodeEntry(entry.getStateMachineLogEntry().getLogData().toByteArray());
        } catch (IOException e) {
            // startTransaction checked it, so this is a newer node's format: applying anything else would diverge.
            return CompletableFuture.failedFuture(new IllegalStateException(
                    "cannot decode quorum queue entry " + TermIndex.valueOf(entry), e));
        }
        ApplyResult result;
        synchronized (this) {
            result = state.apply(decoded);
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        }
        appliedSinceStart.incrementAndGet();
        listener.applied(entry.getIndex(), leader, result.effects());
        return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(
                result.encodedReply(decoded.command()))));
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(stats().encode())));
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId member, RaftPeerId newLeader) {
        leader = member.getPeerId().equals(newLeader);
    }

    @Override
    public long takeSnapshot() throws IOException {
        TermIndex last;
        File file;
        File temp;
        synchronized (this) {
            last = getLastAppliedTermIndex();
            if (last == null || last.getIndex() < 0) {
                return -1;
            }
            file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
            temp = new File(file.getParentFile(), file.getName() + ".writing");
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp.toPath()), 1 << 16)) {
                SnapshotCodec.write(state, out);
            }
        }
        Files.move(temp.toPath(), file.toPath(), StandardCopyOption.ATOMIC_MOVE);
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
        return last.getIndex();
    }

    private void loadSnapshot(SingleFileSnapshotInfo snapshot) throws IOException {
        if (snapshot == null) {
            return;
        }
        Path path = snapshot.getFile().getPath();
        if (snapshot.getFile().getFileDigest() != null) {
            MD5FileUtil.verifySavedMD5(path.toFile(), snapshot.getFile().getFileDigest());
        }
        QuorumQueueState loaded;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            loaded = SnapshotCodec.read(in, Files.size(path));
        }
        TermIndex loadedAt = SimpleStateMachineStorage.getTermIndexFromSnapshotFile(path.toFile());
        synchronized (this) {
            state = loaded;
            setLastAppliedTermIndex(loadedAt);
        }
        Effect.Declared declared = loaded.declared();
        if (declared != null) { // the Declare entry may be purged from the log: register the queue from here
            listener.applied(loadedAt.getIndex(), false, List.of(declared));
        }
    }

    /** Whether a consumer of the replicated state (as this replica applied it) lives on {@code node}. */
    public synchronized boolean hasConsumersOn(String node) {
        return state.hasConsumersOn(node);
    }

    public synchronized QueueStats stats() {
        TermIndex last = getLastAppliedTermIndex();
        return QueueStats.of(state, last == null ? -1 : last.getIndex());
    }

    /** The state in snapshot form: two replicas that applied the same entries give the same bytes. */
    public synchronized byte[] stateBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            SnapshotCodec.write(state, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Entries applied since this replica started (a restart from a snapshot replays only those after it). */
    public long appliedSinceStart() {
        return appliedSinceStart.get();
    }

    public boolean isLeader() {
        return leader;
    }
}
