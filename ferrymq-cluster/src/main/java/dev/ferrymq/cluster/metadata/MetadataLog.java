package dev.ferrymq.cluster.metadata;

import dev.ferrymq.broker.cluster.ClusterException;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * Appends commands to the metadata group's log from this node. A command is sent to the group's leader (the client
 * follows leader changes), committed on a majority, applied by every node's {@link MetadataStateMachine}, and the
 * future completes with the leader's answer. Thread-safe (Ratis' client is).
 */
public final class MetadataLog implements AutoCloseable {
    private final RaftClient client;

    public MetadataLog(RaftClient client) {
        this.client = client;
    }

    /** Completes with the command's answer once it is committed and applied; exceptionally if it is not. */
    public CompletableFuture<byte[]> submit(byte[] command) {
        return client.async().send(Message.valueOf(ByteString.copyFrom(command))).thenApply(MetadataLog::answer);
    }

    private static byte[] answer(RaftClientReply reply) {
        if (!reply.isSuccess()) {
            throw new ClusterException("metadata command failed: " + reply.getException(), reply.getException());
        }
        return reply.getMessage().getContent().toByteArray();
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
