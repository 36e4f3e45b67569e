package dev.ferrymq.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Waits and small conversions shared by the tests that drive several node processes. */
final class ClusterTestSupport {
    /** How long a node gets to show what a test waits for (a loaded 2-core machine runs three JVMs). */
    static final Duration WAIT = Duration.ofSeconds(20);

    private ClusterTestSupport() {
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    /** Polls {@code condition} (an exception counts as "not yet") until it holds; fails after {@link #WAIT}. */
    static void awaitUntil(String what, Condition condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (Exception e) {
                // not yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no " + what + " within " + WAIT);
    }

    /** basic.get until a message comes; fails after {@link #WAIT}. */
    static GetResponse awaitGet(Channel channel, String queue, boolean autoAck) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            GetResponse got = channel.basicGet(queue, autoAck);
            if (got != null) {
                return got;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("nothing arrived in " + queue + " within " + WAIT);
    }

    /** The queue as {@code node}'s management API shows it in vhost "/", or a missing node. */
    static JsonNode queueJson(NodeProcess node, String queue) {
        JsonNode shown = node.get("queues/%2F/" + queue);
        return shown == null ? MissingNode.getInstance() : shown;
    }

    static byte[] body(int i) {
        return ("m" + i).getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }
}
