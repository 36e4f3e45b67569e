package dev.ferrymq.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Found by the fault campaign (issue 18, {@code dev.ferrymq.server.faults}): a node restarted after kill -9 must
 * serve the quorum queues it is a member of, as it did before. It did not: while Ratis recovers the queue's group,
 * before {@code QuorumQueues.start}, the replica applies the group's Declare entry, and registering the queue
 * failed with "the cluster is still starting" with nothing registering it later. The node then answered 404 for
 * the queue, a publish to it through that node was unroutable (without {@code mandatory}, confirmed and dropped),
 * and what its consumers held before the kill stayed checked out. Such registrations now wait for the start.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class QuorumQueueAfterRestartTest {
    @TempDir
    Path dir;

    private final List<NodeProcess> nodes = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        Path logs = Path.of("target", "quorum-restart-logs");
        Files.createDirectories(logs);
        for (NodeProcess node : nodes) {
            node.close();
            Files.writeString(logs.resolve(node.name + ".log"), node.log());
        }
    }

    @Test
    void aNodeRestartedAfterKill9StillServesItsQuorumQueue() throws Exception {
        List<Integer> ports = List.of(NodeProcess.freePort(), NodeProcess.freePort(), NodeProcess.freePort());
        String seeds = "n1@127.0.0.1:" + ports.get(0) + ",n2@127.0.0.1:" + ports.get(1) + ",n3@127.0.0.1:"
                + ports.get(2);
        for (int i = 0; i < 3; i++) {
            nodes.add(new NodeProcess(dir, "n" + (i + 1), ports.get(i), List.of("--cluster-seeds", seeds,
                    "--memory-high-watermark", "0.95")).start());
        }
        for (NodeProcess node : nodes) {
            node.awaitServing();
        }
        NodeProcess restarted = nodes.get(2);
        try (Connection connection = await(() -> connect(nodes.get(0)))) {
            Channel channel = connection.createChannel();
            await(() -> channel.queueDeclare("qq-restart", true, false, false, Map.of("x-queue-type", "quorum")));
            channel.confirmSelect();
            channel.basicPublish("", "qq-restart", MessageProperties.PERSISTENT_TEXT_PLAIN,
                    "before".getBytes(StandardCharsets.UTF_8));
            channel.waitForConfirmsOrDie(20_000);
        }
        await(() -> restarted.get("queues/%2F/qq-restart"));

        restarted.kill9();
        restarted.start().awaitServing();

        assertThat(await(() -> restarted.get("queues/%2F/qq-restart")))
                .as("the queue on the restarted node's /api/queues").isNotNull();
        try (Connection connection = connect(restarted)) {
            GetResponse got = await(() -> connection.createChannel().basicGet("qq-restart", true));
            assertThat(new String(got.getBody(), StandardCharsets.UTF_8)).isEqualTo("before");
        }
    }

    private static Connection connect(NodeProcess node) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setPort(node.amqpPort);
        factory.setAutomaticRecoveryEnabled(false);
        return factory.newConnection();
    }

    private interface Attempt<T> {
        T get() throws Exception;
    }

    /** The first non-null answer within 30 s; the last failure if none. */
    private static <T> T await(Attempt<T> attempt) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                T value = attempt.get();
                if (value != null) {
                    return value;
                }
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(250);
        }
        if (last != null) {
            throw last;
        }
        return null;
    }
}
