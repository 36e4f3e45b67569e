package dev.ferrymq.cluster.metadata;

import dev.ferrymq.broker.cluster.ClusterException;
import dev.ferrymq.broker.metadata.MetadataAnswer;
import dev.ferrymq.broker.metadata.MetadataCommand;
import dev.ferrymq.broker.metadata.MetadataCommandCodec;
import dev.ferrymq.broker.metadata.MetadataReplication;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Replicates the broker's metadata changes through the metadata group: appends the command to the log (through
 * the leader), waits until this node has applied it too, and returns what it answered. Blocks the calling thread
 * (an AMQP connection's or the management API's) for a commit round trip. Thread-safe.
 */
public final class RaftMetadataReplication implements MetadataReplication {
    /** Longer than the Ratis client's retries (8 × 0.5 s), so they decide first. */
    private static final long LOCAL_APPLY_TIMEOUT_MILLIS = 15_000;

    private final MetadataLog log;
    private final MetadataStateMachine stateMachine;

    public RaftMetadataReplication(MetadataLog log, MetadataStateMachine stateMachine) {
        this.log = log;
        this.stateMachine = stateMachine;
    }

    /**
     * Waits until this node has applied everything committed before now, by committing an empty command (a
     * barrier) and waiting until it is applied here; false if that takes longer than {@code timeoutMillis} (no
     * majority yet). A restarting node calls this before it serves clients, so they do not see the metadata it
     * had when it stopped.
     */
    public boolean awaitCaughtUp(long timeoutMillis) throws InterruptedException {
        long start = System.nanoTime();
        try {
            MetadataLog.Committed barrier = log.append(new byte[0]).get(timeoutMillis, TimeUnit.MILLISECONDS);
            long left = timeoutMillis - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            return stateMachine.awaitApplied(barrier.index(), Math.max(left, 0));
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    @Override
    public Object replicate(MetadataCommand command) {
        try {
            MetadataLog.Committed committed = log.append(MetadataCommandCodec.encode(command)).get();
            if (!stateMachine.awaitApplied(committed.index(), LOCAL_APPLY_TIMEOUT_MILLIS)) {
                throw new ClusterException("the metadata change was committed but this node has not applied it yet");
            }
            return MetadataAnswer.result(committed.answer());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted while the metadata change was replicated", e);
        } catch (ExecutionException e) {
            throw new ClusterException("the metadata change could not be replicated (no majority?): "
                    + e.getCause().getMessage(), e.getCause());
        }
    }
}
