package dev.ferrymq.cluster.metadata;

import dev.ferrymq.broker.cluster.ClusterException;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Appends commands to the metadata group's log from this node. A command is sent to the group's leader (the client
 * follows leader changes), committed on a majority, applied by every node's {@link MetadataStateMachine}, and the
 * future completes with the leader's answer. The Ratis client is made at the first command, for the members of
 * that moment (a node added later does not know the seeds' membership is still current), and made again after a
 * command failed: Ratis closes an ordered client's sliding window when a request fails for good (no majority for
 * longer than its retries), and every later command on it would fail too. Thread-safe.
 */
public final class MetadataLog implements AutoCloseable {
    private final Supplier<RaftClient> clientFactory;
    private RaftClient client; // guarded by this

    public MetadataLog(Supplier<RaftClient> clientFactory) {
        this.clientFactory = clientFactory;
    }

    /** Completes with the command's answer once it is committed and applied; exceptionally if it is not. */
    public CompletableFuture<byte[]> submit(byte[] command) {
        return append(command).thenApply(Committed::answer);
    }

    /** A command committed at log {@code index}, and what applying it answered on the leader. */
    public record Committed(long index, byte[] answer) {
    }

    /** Like {@link #submit}, with the command's log index (to wait until this node has applied it too). */
    public CompletableFuture<Committed> append(byte[] command) {
        RaftClient used = client();
        return used.async().send(Message.valueOf(ByteString.copyFrom(command)))
                .whenComplete((reply, failure) -> {
                    if (failure != null) {
                        discard(used);
                    }
                })
                .thenApply(reply -> new Committed(reply.getLogIndex(), answer(reply)));
    }

    private synchronized void discard(RaftClient failed) {
        if (client != failed) {
            return;
        }
        client = null;
        try {
            failed.close();
        } catch (IOException e) {
            // it failed already; the next command makes a new one
        }
    }

    private synchronized RaftClient client() {
        if (client == null) {
            client = clientFactory.get();
        }
        return client;
    }

    private static byte[] answer(RaftClientReply reply) {
        if (!reply.isSuccess()) {
            throw new ClusterException("metadata command failed: " + reply.getException(), reply.getException());
        }
        return reply.getMessage().getContent().toByteArray();
    }

    @Override
    public synchronized void close() throws IOException {
        if (client != null) {
            client.close();
        }
    }
}
