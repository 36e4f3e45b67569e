package dev.ferrymq.cluster.quorum.queue;

import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.cluster.RaftSettings;
import dev.ferrymq.cluster.quorum.QueueCommand;
import dev.ferrymq.cluster.quorum.Reply;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.util.TimeDuration;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * This node's one Ratis client of a quorum queue's group. Its async API keeps this node's proposals in the order
 * they were made (Ratis' sliding window), and a retried request is answered from the server's retry cache rather
 * than applied twice, so one client per node serves every channel. Thread-safe.
 */
final class GroupClient implements AutoCloseable {
    /** How long an AMQP method that needs the answer (declare, get, purge, delete, consume) waits for it. */
    private static final long WAIT_SECONDS = 15;

    /** Outlasts a leader's failure: detection and election take 1-4 s (RaftSettings' election timeout). */
    private static final RetryPolicy RETRIES = RetryPolicies.retryUpToMaximumCountWithFixedSleep(40,
            TimeDuration.valueOf(250, TimeUnit.MILLISECONDS));

    private final RaftGroup group;
    private final Supplier<RaftPeerId> leader;
    private volatile RaftClient client;
    private final ProposalBatcher batcher;

    /**
     * @param leader the group's leader as this node's replica knows it, or null
     * @param sender the node's single thread that sends proposals ({@link ProposalBatcher})
     */
    GroupClient(RaftGroup group, Supplier<RaftPeerId> leader, Executor sender) {
        this.group = group;
        this.leader = leader;
        this.batcher = new ProposalBatcher(this::send, sender);
    }

    /**
     * Built at first use, aimed at the leader this node knows by then: a proposal sent to a follower is retried
     * after the ones that went straight to the leader, and would reach the log out of publish order.
     */
    private RaftClient client() {
        RaftClient built = client;
        if (built == null) {
            synchronized (this) {
                built = client;
                if (built == null) {
                    built = RaftClient.newBuilder()
                            .setProperties(RaftSettings.client())
                            .setRaftGroup(group)
                            .setLeaderId(leader.get())
                            .setRetryPolicy(RETRIES)
                            .build();
                    client = built;
                }
            }
        }
        return built;
    }

    /**
     * Proposes {@code command}; completes with the reply once the entry is committed and applied. Commands
     * proposed while earlier ones are in flight share a log entry ({@link ProposalBatcher}).
     */
    CompletableFuture<Reply> propose(QueueCommand command) {
        return batcher.propose(command);
    }

    /**
     * Sends one entry's bytes. A client whose retries ran out (a long election) is closed for good by Ratis, so a
     * failure drops it: the next entry builds a new one.
     */
    private CompletableFuture<byte[]> send(byte[] entry) {
        RaftClient used = client();
        return used.async().send(Message.valueOf(UnsafeByteOperations.unsafeWrap(entry)))
                .whenComplete((reply, failure) -> {
                    if (failure != null || !reply.isSuccess()) {
                        discard(used);
                    }
                })
                .thenApply(GroupClient::replyBytes);
    }

    private synchronized void discard(RaftClient failed) {
        if (client == failed) {
            client = null;
            try {
                failed.close();
            } catch (IOException | RuntimeException e) {
                // it failed already; nothing more to release
            }
        }
    }

    /**
     * {@link #propose} and wait, trying a second client if the first gave up; 406 when no answer comes in time
     * (no majority of the members is reachable).
     */
    Reply proposeAndWait(QueueCommand command, String what) {
        try {
            try {
                return propose(command).get(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException firstClientGaveUp) {
                return propose(command).get(WAIT_SECONDS, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(what, e);
        } catch (ExecutionException | TimeoutException e) {
            throw unavailable(what, e);
        }
    }

    private static BrokerException unavailable(String what, Exception cause) {
        return BrokerException.preconditionFailed(what + ": its replicas did not answer (no majority of its members"
                + " is reachable): " + cause);
    }

    private static byte[] replyBytes(RaftClientReply reply) {
        if (!reply.isSuccess()) {
            throw new IllegalStateException("quorum queue proposal failed", reply.getException());
        }
        return reply.getMessage().getContent().toByteArray();
    }

    @Override
    public void close() throws IOException {
        RaftClient built = client;
        if (built != null) {
            built.close();
        }
    }
}
