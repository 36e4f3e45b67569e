package dev.ferrymq.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * Quorum queues on three real server processes, driven by the RabbitMQ Java client: declared on one node, used
 * through the others, surviving a kill -9 of the node that leads the queue's group. The tests share the cluster and
 * run in order (the failover one last but one: it leaves two nodes).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class QuorumQueueAcrossThreeNodesTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Map<String, Object> QUORUM = Map.of("x-queue-type", "quorum");

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
                    // Ratis' buffers count towards the alarm, and the test nodes have a 128 MiB heap
                    "--memory-high-watermark", "0.95")).start());
        }
        for (NodeProcess node : nodes) {
            node.awaitServing();
        }
        awaitUntil("a metadata leader", () -> {
            JsonNode listed = nodes.get(0).get("nodes");
            if (listed == null) {
                return false;
            }
            for (JsonNode entry : listed) {
                if (entry.path("role").asText().equals("leader")) {
                    return true;
                }
            }
            return false;
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
        for (NodeProcess node : nodes) {
            node.close();
            // kept for a look after a failure (the temporary directory goes away)
            Path logs = Path.of("target", "quorum-queue-logs");
            Files.createDirectories(logs);
            Files.writeString(logs.resolve(node.name + ".log"), node.log());
        }
    }

    @Test
    @Order(1)
    void aQuorumQueueMustBeDurableNotExclusiveNotAutoDeleteWithRabbitMqsTexts() throws Exception {
        Connection connection = connect(nodes.get(0));
        assertRefused(connection, "qq-transient", false, false, false,
                "invalid property 'non-durable' for queue 'qq-transient' in vhost '/'");
        assertRefused(connection, "qq-exclusive", true, true, false,
                "invalid property 'exclusive-owner' for queue 'qq-exclusive' in vhost '/'");
        assertRefused(connection, "qq-auto-delete", true, false, true,
                "invalid property 'auto-delete' for queue 'qq-auto-delete' in vhost '/'");
        assertRefused(connection, "qq-both", false, true, true,
                "invalid property 'auto-delete' for queue 'qq-both' in vhost '/'");
    }

    @Test
    @Order(2)
    void declaredOnOneNodePublishedWithConfirmsOnAnotherConsumedAndAckedOnTheThird() throws Exception {
        Channel declaring = connect(nodes.get(0)).createChannel();
        AMQP.Queue.DeclareOk declared = declaring.queueDeclare("qq-orders", true, false, false, QUORUM);
        assertThat(declared.getMessageCount()).isZero();

        Channel publishing = connect(nodes.get(1)).createChannel();
        awaitQueue(nodes.get(1), "qq-orders");
        publishing.confirmSelect();
        for (int i = 0; i < 100; i++) {
            publishing.basicPublish("", "qq-orders", MessageProperties.PERSISTENT_TEXT_PLAIN, body(i));
        }
        publishing.waitForConfirmsOrDie(10_000);

        Channel consuming = connect(nodes.get(2)).createChannel();
        awaitQueue(nodes.get(2), "qq-orders");
        assertThat(consuming.queueDeclarePassive("qq-orders").getMessageCount()).isEqualTo(100);
        consuming.basicQos(10);
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        consuming.basicConsume("qq-orders", false, (tag, delivery) -> {
            received.add(new String(delivery.getBody(), StandardCharsets.UTF_8));
            consuming.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
        }, tag -> { });
        for (int i = 0; i < 100; i++) {
            assertThat(received.poll(10, TimeUnit.SECONDS)).as("message %d", i).isEqualTo("m" + i);
        }
        awaitUntil("every message acked", () -> queueJson(nodes.get(0), "qq-orders").path("messages").asInt(-1) == 0);

        JsonNode shown = queueJson(nodes.get(2), "qq-orders");
        assertThat(shown.path("type").asText()).isEqualTo("quorum");
        assertThat(shown.path("members")).hasSize(3);
        assertThat(shown.path("online")).hasSize(3);
        assertThat(shown.path("leader").asText()).isIn("n1", "n2", "n3");

        consuming.close();
        publishing.basicPublish("", "qq-orders", null, body(100));
        publishing.waitForConfirmsOrDie(10_000);
        GetResponse got = declaring.basicGet("qq-orders", false);
        assertThat(new String(got.getBody(), StandardCharsets.UTF_8)).isEqualTo("m100");
        declaring.basicAck(got.getEnvelope().getDeliveryTag(), false);
        assertThat(declaring.basicGet("qq-orders", true)).isNull();

        publishing.basicPublish("", "qq-orders", null, body(101));
        publishing.waitForConfirmsOrDie(10_000);
        assertThat(declaring.queuePurge("qq-orders").getMessageCount()).isEqualTo(1);

        publishing.queueDelete("qq-orders");
        awaitUntil("the queue gone from every node", () -> nodes.stream()
                .allMatch(node -> node.get("queues/%2F/qq-orders") == null));
    }

    @Test
    @Order(3)
    void aMessageReturnedMoreOftenThanItsDeliveryLimitIsDeadLettered() throws Exception {
        Channel channel = connect(nodes.get(0)).createChannel();
        channel.queueDeclare("qq-dead", true, false, false, QUORUM);
        Map<String, Object> poisoned = new HashMap<>(QUORUM);
        poisoned.put("x-delivery-limit", 1);
        poisoned.put("x-dead-letter-exchange", "");
        poisoned.put("x-dead-letter-routing-key", "qq-dead");
        channel.queueDeclare("qq-poison", true, false, false, poisoned);
        awaitQueue(nodes.get(1), "qq-poison");
        awaitQueue(nodes.get(1), "qq-dead");
        channel.confirmSelect();
        channel.basicPublish("", "qq-poison", null, "poison".getBytes(StandardCharsets.UTF_8));
        channel.waitForConfirmsOrDie(10_000);

        Channel consuming = connect(nodes.get(1)).createChannel();
        BlockingQueue<Boolean> redeliveredFlags = new LinkedBlockingQueue<>();
        consuming.basicConsume("qq-poison", false, (tag, delivery) -> {
            redeliveredFlags.add(delivery.getEnvelope().isRedeliver());
            consuming.basicNack(delivery.getEnvelope().getDeliveryTag(), false, true);
        }, tag -> { });
        assertThat(redeliveredFlags.poll(10, TimeUnit.SECONDS)).isFalse();
        assertThat(redeliveredFlags.poll(10, TimeUnit.SECONDS)).isTrue();

        GetResponse dead = awaitGet(connect(nodes.get(2)).createChannel(), "qq-dead");
        assertThat(new String(dead.getBody(), StandardCharsets.UTF_8)).isEqualTo("poison");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> deaths = (List<Map<String, Object>>) dead.getProps().getHeaders().get("x-death");
        assertThat(deaths.get(0).get("reason").toString()).isEqualTo("delivery_limit");
        assertThat(deaths.get(0).get("queue").toString()).isEqualTo("qq-poison");
    }

    @Test
    @Order(4)
    void killingAConsumersNodeGivesWhatItHeldToConsumersElsewhere() throws Exception {
        Channel declaring = connect(nodes.get(0)).createChannel();
        declaring.queueDeclare("qq-lost-consumer", true, false, false, QUORUM);
        String leader = awaitLeader("qq-lost-consumer", Set.of());
        NodeProcess consumerNode = nodes.stream().filter(node -> !node.name.equals(leader)).findFirst().orElseThrow();
        NodeProcess otherNode = byName(leader);
        awaitQueue(consumerNode, "qq-lost-consumer");

        Channel publishing = connect(otherNode).createChannel();
        publishing.confirmSelect();
        for (int i = 0; i < 10; i++) {
            publishing.basicPublish("", "qq-lost-consumer", MessageProperties.PERSISTENT_TEXT_PLAIN, body(i));
        }
        publishing.waitForConfirmsOrDie(10_000);
        Channel holding = connect(consumerNode).createChannel();
        holding.basicQos(3);
        BlockingQueue<String> held = new LinkedBlockingQueue<>();
        holding.basicConsume("qq-lost-consumer", false, (tag, delivery) -> held.add(text(delivery.getBody())),
                tag -> { });
        for (int i = 0; i < 3; i++) {
            assertThat(held.poll(10, TimeUnit.SECONDS)).isEqualTo("m" + i);
        }

        consumerNode.kill9(); // its consumer never closes its channel: only the node watch can return its messages
        Channel consuming = connect(otherNode).createChannel();
        Map<String, Boolean> redelivered = new HashMap<>();
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        consuming.basicConsume("qq-lost-consumer", false, (tag, delivery) -> {
            redelivered.put(text(delivery.getBody()), delivery.getEnvelope().isRedeliver());
            received.add(text(delivery.getBody()));
            consuming.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
        }, tag -> { });
        Set<String> bodies = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            String next = received.poll(20, TimeUnit.SECONDS);
            assertThat(next).as("message %d of 10 after the consumer's node died", i).isNotNull();
            bodies.add(next);
        }
        assertThat(bodies).hasSize(10);
        for (int i = 0; i < 3; i++) {
            assertThat(redelivered.get("m" + i)).as("redelivered flag of m%d", i).isTrue();
        }

        consumerNode.start().awaitServing(); // the failover test needs three nodes
    }

    @Test
    @Order(5)
    void killingTheQueuesLeaderLosesNoConfirmedMessageAndRedeliversTheUnacked() throws Exception {
        Channel declaring = connect(nodes.get(0)).createChannel();
        declaring.queueDeclare("qq-failover", true, false, false, QUORUM);
        String leader = awaitLeader("qq-failover", Set.of());
        List<NodeProcess> survivors = nodes.stream().filter(node -> !node.name.equals(leader)).toList();
        NodeProcess publisherNode = survivors.get(0);
        NodeProcess consumerNode = survivors.get(1);
        awaitQueue(publisherNode, "qq-failover");
        awaitQueue(consumerNode, "qq-failover");

        Channel publishing = connect(publisherNode).createChannel();
        publishing.confirmSelect();
        for (int i = 0; i < 50; i++) {
            publishing.basicPublish("", "qq-failover", MessageProperties.PERSISTENT_TEXT_PLAIN, body(i));
        }
        publishing.waitForConfirmsOrDie(10_000);

        Channel holding = connect(consumerNode).createChannel();
        holding.basicQos(5);
        BlockingQueue<String> held = new LinkedBlockingQueue<>();
        holding.basicConsume("qq-failover", false, (tag, delivery) -> held.add(text(delivery.getBody())), tag -> { });
        for (int i = 0; i < 5; i++) {
            assertThat(held.poll(10, TimeUnit.SECONDS)).isEqualTo("m" + i);
        }

        byName(leader).kill9();
        long killedAt = System.nanoTime();
        holding.close(); // returns its five unacked messages, through whichever node leads next
        String newLeader = awaitLeader("qq-failover", Set.of(leader));

        Channel consuming = connect(consumerNode).createChannel();
        Set<String> bodies = new HashSet<>();
        Map<String, Boolean> redelivered = new HashMap<>();
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        consuming.basicConsume("qq-failover", false, (tag, delivery) -> {
            String text = text(delivery.getBody());
            redelivered.put(text, delivery.getEnvelope().isRedeliver());
            received.add(text);
            consuming.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
        }, tag -> { });
        for (int i = 0; i < 50; i++) {
            String next = received.poll(15, TimeUnit.SECONDS);
            assertThat(next).as("message %d of 50 after the kill", i).isNotNull();
            bodies.add(next);
        }
        long servedMillis = (System.nanoTime() - killedAt) / 1_000_000;
        System.out.printf("[quorum] leader %s killed, %s leads, all 50 confirmed messages consumed %d ms later%n",
                leader, newLeader, servedMillis);
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            expected.add("m" + i);
        }
        assertThat(bodies).isEqualTo(expected);
        for (int i = 0; i < 50; i++) {
            assertThat(redelivered.get("m" + i)).as("redelivered flag of m%d", i).isEqualTo(i < 5);
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

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

    private static void assertRefused(Connection connection, String queue, boolean durable, boolean exclusive,
                                      boolean autoDelete, String text) throws IOException {
        Channel channel = connection.createChannel();
        assertThatThrownBy(() -> channel.queueDeclare(queue, durable, exclusive, autoDelete, QUORUM))
                .hasStackTraceContaining("reply-code=406")
                .hasStackTraceContaining("PRECONDITION_FAILED - " + text);
    }

    /** Waits until {@code node} has registered the queue (its group's Declare entry reached it). */
    private static void awaitQueue(NodeProcess node, String queue) throws InterruptedException {
        awaitUntil(queue + " on " + node.name, () -> node.get("queues/%2F/" + queue) != null);
    }

    private String awaitLeader(String queue, Set<String> notThese) throws InterruptedException {
        String[] leader = new String[1];
        awaitUntil("a leader of " + queue + " other than " + notThese, () -> {
            for (NodeProcess node : nodes) {
                if (notThese.contains(node.name)) {
                    continue;
                }
                JsonNode shown = node.get("queues/%2F/" + queue);
                String named = shown == null ? "" : shown.path("leader").asText("");
                if (!named.isEmpty() && !named.equals("null") && !notThese.contains(named)) {
                    leader[0] = named;
                    return true;
                }
            }
            return false;
        });
        return leader[0];
    }

    private static GetResponse awaitGet(Channel channel, String queue) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            GetResponse got = channel.basicGet(queue, true);
            if (got != null) {
                return got;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("nothing arrived in " + queue + " within " + WAIT);
    }

    private static JsonNode queueJson(NodeProcess node, String queue) {
        JsonNode shown = node.get("queues/%2F/" + queue);
        return shown == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : shown;
    }

    private NodeProcess byName(String name) {
        return nodes.stream().filter(node -> node.name.equals(name)).findFirst().orElseThrow();
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
