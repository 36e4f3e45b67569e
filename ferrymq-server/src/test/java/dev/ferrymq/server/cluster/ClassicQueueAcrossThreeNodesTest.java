package dev.ferrymq.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Classic queues in a cluster of three real server processes, driven by the RabbitMQ Java client: a classic queue
 * lives on the node that declared it, its declaration and bindings are on every node, and a client of any node
 * publishes to it and consumes from it through the cluster. With its home node killed it is unavailable, with
 * RabbitMQ's 404, and it serves again when the node is back. The tests share the cluster and run in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(OrderAnnotation.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClassicQueueAcrossThreeNodesTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path dir;

    private final List<NodeProcess> nodes = new ArrayList<>();
    private final List<Connection> connections = new ArrayList<>();

    @BeforeAll
    void startThreeNodes() throws Exception {
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
        // every node has announced where it takes internode connections once a declaration on it reaches the others
        awaitUntil("a metadata leader", () -> {
            JsonNode listed = nodes.get(0).get("nodes");
            return listed != null && listed.findValuesAsText("role").contains("leader");
        });
    }

    @AfterAll
    void stopAll() throws Exception {
        for (Connection connection : connections) {
            try {
                connection.abort();
            } catch (RuntimeException ignored) {
                // the node may be gone
            }
        }
        Path logs = Path.of("target", "classic-queue-logs");
        Files.createDirectories(logs);
        for (NodeProcess node : nodes) {
            node.close();
            Files.writeString(logs.resolve(node.name + ".log"), node.log());
        }
    }

    @Test
    @Order(1)
    void declaredOnOneNodePublishedWithConfirmsOnAnotherConsumedAndAckedOnTheThird() throws Exception {
        Channel declaring = connect(node(1)).createChannel();
        declaring.queueDeclare("cq-orders", true, false, false, Map.of());
        Channel binding = connect(node(2)).createChannel();
        binding.queueBind("cq-orders", "amq.direct", "order.created"); // bound through another node
        for (NodeProcess node : nodes) {
            awaitUntil("cq-orders on " + node.name, () -> queueJson(node, "cq-orders").path("node").asText()
                    .equals("n1"));
        }

        Channel publishing = connect(node(2)).createChannel();
        publishing.confirmSelect();
        for (int i = 0; i < 50; i++) {
            publishing.basicPublish("amq.direct", "order.created", MessageProperties.PERSISTENT_TEXT_PLAIN, body(i));
        }
        publishing.waitForConfirmsOrDie(10_000);
        for (NodeProcess node : nodes) {
            Channel checking = connect(node).createChannel();
            assertThat(checking.queueDeclarePassive("cq-orders").getMessageCount()).as(node.name).isEqualTo(50);
            awaitUntil("50 ready on " + node.name, () -> queueJson(node, "cq-orders").path("messages_ready")
                    .asInt() == 50);
        }

        Channel consuming = connect(node(3)).createChannel();
        consuming.basicQos(10);
        BlockingQueue<Delivery> received = new LinkedBlockingQueue<>();
        consuming.basicConsume("cq-orders", false, (tag, delivery) -> {
            received.add(delivery);
            consuming.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
        }, tag -> { });
        for (int i = 0; i < 50; i++) {
            Delivery delivery = received.poll(10, TimeUnit.SECONDS);
            assertThat(delivery).as("message %d", i).isNotNull();
            assertThat(text(delivery.getBody())).isEqualTo("m" + i);
            // as published on n2, not as forwarded to n1
            assertThat(delivery.getEnvelope().getExchange()).isEqualTo("amq.direct");
            assertThat(delivery.getEnvelope().getRoutingKey()).isEqualTo("order.created");
            assertThat(delivery.getProperties().getDeliveryMode()).isEqualTo(2);
            assertThat(delivery.getProperties().getContentType()).isEqualTo("text/plain");
            assertThat(delivery.getProperties().getHeaders()).isNull();
        }
        awaitUntil("every message acked", () -> queueJson(node(1), "cq-orders").path("messages").asInt(-1) == 0);
        for (NodeProcess node : nodes) {
            assertThat(connect(node).createChannel().queueDeclarePassive("cq-orders").getMessageCount())
                    .as(node.name).isZero();
        }
        assertThat(queueJson(node(1), "cq-orders").path("consumers").asInt()).isEqualTo(1);

        consuming.close();
        publishing.basicPublish("", "cq-orders", null, body(50));
        publishing.waitForConfirmsOrDie(10_000);
        Channel getting = connect(node(2)).createChannel();
        GetResponse got = awaitGet(getting, "cq-orders", false);
        assertThat(text(got.getBody())).isEqualTo("m50");
        getting.basicAck(got.getEnvelope().getDeliveryTag(), false);
        assertThat(getting.basicGet("cq-orders", true)).isNull();

        publishing.basicPublish("", "cq-orders", null, body(51));
        publishing.waitForConfirmsOrDie(10_000);
        assertThat(connect(node(3)).createChannel().queuePurge("cq-orders").getMessageCount()).isEqualTo(1);

        connect(node(3)).createChannel().queueDelete("cq-orders");
        awaitUntil("cq-orders gone from every node", () -> nodes.stream()
                .allMatch(node -> node.get("queues/%2F/cq-orders") == null));
    }

    @Test
    @Order(2)
    void aServerNamedQueueIsKnownOnEveryNodeAndItsDeleteToo() throws Exception {
        String name = connect(node(2)).createChannel().queueDeclare("", false, false, true, null).getQueue();
        assertThat(name).startsWith("amq.gen-");
        awaitUntil(name + " on n1", () -> queueJson(node(1), name).path("node").asText().equals("n2"));
        assertThat(connect(node(3)).createChannel().queueDeclarePassive(name).getQueue()).isEqualTo(name);

        connect(node(1)).createChannel().queueDelete(name);
        awaitUntil(name + " gone", () -> nodes.stream().allMatch(node -> node.get("queues/%2F/" + name) == null));
    }

    @Test
    @Order(3)
    void anExclusiveQueueStaysOnItsNode() throws Exception {
        Connection owner = connect(node(1));
        String name = owner.createChannel().queueDeclare("", false, true, true, null).getQueue();
        Channel elsewhere = connect(node(2)).createChannel();
        assertThatThrownBy(() -> elsewhere.queueDeclarePassive(name)).hasStackTraceContaining("reply-code=404");
        owner.close();
    }

    @Test
    @Order(4)
    void withItsHomeNodeDownAQueueIsNotFoundAndPublishesAreNackedThenItServesAgain() throws Exception {
        connect(node(1)).createChannel().queueDeclare("cq-home", true, false, false, Map.of());
        connect(node(1)).createChannel().queueDeclare("cq-transient", false, false, false, Map.of());
        awaitUntil("cq-home on n2", () -> node(2).get("queues/%2F/cq-home") != null);
        awaitUntil("cq-transient on n2", () -> node(2).get("queues/%2F/cq-transient") != null);
        Channel publishing = connect(node(2)).createChannel();
        publishing.confirmSelect();
        for (int i = 0; i < 5; i++) {
            publishing.basicPublish("", "cq-home", MessageProperties.PERSISTENT_TEXT_PLAIN, body(i));
        }
        publishing.waitForConfirmsOrDie(10_000);
        Channel watching = connect(node(3)).createChannel();
        watching.basicQos(1);
        BlockingQueue<String> cancelled = new LinkedBlockingQueue<>();
        watching.basicConsume("cq-home", false, (tag, delivery) -> { }, cancelled::add);

        node(1).kill9();
        // as RabbitMQ does when a queue's node goes down, its consumers elsewhere are cancelled
        assertThat(cancelled.poll(20, TimeUnit.SECONDS)).as("basic.cancel on n3").isNotNull();
        String down = "NOT_FOUND - home node 'n1' of durable queue 'cq-home' in vhost '/' is down or inaccessible";
        Channel passive = connect(node(2)).createChannel();
        assertThatThrownBy(() -> passive.queueDeclarePassive("cq-home"))
                .hasStackTraceContaining("reply-code=404").hasStackTraceContaining(down);
        Channel redeclaring = connect(node(3)).createChannel();
        assertThatThrownBy(() -> redeclaring.queueDeclare("cq-home", true, false, false, Map.of()))
                .hasStackTraceContaining("reply-code=404").hasStackTraceContaining(down);
        Channel consuming = connect(node(3)).createChannel();
        assertThatThrownBy(() -> consuming.basicConsume("cq-home", true, (tag, delivery) -> { }, tag -> { }))
                .hasStackTraceContaining("reply-code=404").hasStackTraceContaining(down);
        publishing.basicPublish("", "cq-home", MessageProperties.PERSISTENT_TEXT_PLAIN, body(99));
        assertThat(publishing.waitForConfirms(10_000)).as("confirmed while its home node is down").isFalse();
        assertThat(queueJson(node(2), "cq-home").path("state").asText()).isEqualTo("down");

        node(1).start().awaitServing();
        // a non-durable queue did not survive its node's restart: gone from every node (RabbitMQ: once it is down)
        awaitUntil("cq-transient gone", () -> node(2).get("queues/%2F/cq-transient") == null
                && node(3).get("queues/%2F/cq-transient") == null);
        Channel afterwards = connect(node(2)).createChannel();
        awaitUntil("cq-home back", () -> afterwards.isOpen()
                && afterwards.queueDeclarePassive("cq-home").getMessageCount() == 5);
        Channel getting = connect(node(3)).createChannel();
        for (int i = 0; i < 5; i++) {
            GetResponse got = awaitGet(getting, "cq-home", true);
            assertThat(text(got.getBody())).isEqualTo("m" + i);
        }
        Channel again = connect(node(2)).createChannel();
        again.confirmSelect();
        again.basicPublish("", "cq-home", null, body(100));
        again.waitForConfirmsOrDie(10_000);
        assertThat(text(awaitGet(getting, "cq-home", true).getBody())).isEqualTo("m100");
    }

    @Test
    @Order(5)
    void aRestartedNodeStillReachesTheQueuesHomedElsewhere() throws Exception {
        Channel binding = connect(node(1)).createChannel();
        binding.queueDeclare("cq-restart", true, false, false, Map.of());
        binding.queueBind("cq-restart", "amq.topic", "restart.#");
        awaitUntil("cq-restart on n3", () -> node(3).get("queues/%2F/cq-restart") != null);

        node(3).close();
        node(3).start().awaitServing();
        Channel publishing = connect(node(3)).createChannel();
        publishing.confirmSelect();
        publishing.basicPublish("amq.topic", "restart.1", null, body(1)); // routed on n3 by the restored binding
        publishing.waitForConfirmsOrDie(10_000);
        GetResponse got = awaitGet(connect(node(3)).createChannel(), "cq-restart", true);
        assertThat(text(got.getBody())).isEqualTo("m1");
        assertThat(got.getEnvelope().getRoutingKey()).isEqualTo("restart.1");
    }

    private NodeProcess node(int number) {
        return nodes.get(number - 1);
    }

    private Connection connect(NodeProcess node) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(node.amqpPort);
        factory.setAutomaticRecoveryEnabled(false);
        factory.setChannelRpcTimeout(30_000);
        Connection connection = factory.newConnection();
        connections.add(connection);
        return connection;
    }

    private static GetResponse awaitGet(Channel channel, String queue, boolean autoAck) throws Exception {
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

    private static JsonNode queueJson(NodeProcess node, String queue) {
        JsonNode shown = node.get("queues/%2F/" + queue);
        return shown == null ? MissingNode.getInstance() : shown;
    }

    private static byte[] body(int i) {
        return ("m" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void awaitUntil(String what, Condition condition) throws InterruptedException {
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
}
