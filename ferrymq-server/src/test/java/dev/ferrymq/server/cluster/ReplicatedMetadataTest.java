package dev.ferrymq.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import dev.ferrymq.server.FerryServer;
import dev.ferrymq.server.config.ServerConfig;
import dev.ferrymq.server.config.Settings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three FerryServers in this JVM, clustered on loopback: a metadata change made on any node (AMQP, management API)
 * is visible on every node once answered, a refusal is the same on every node, and a node that was down catches up.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicatedMetadataTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final int SNAPSHOT_EVERY = 20;
    /**
     * Snapshot every 20 entries and purge the log up to 5 entries before it, in 1 KiB segments: a node down for 50
     * entries is sent a snapshot.
     */
    private static final Map<String, String> RATIS = Map.of(
            "raft.server.snapshot.auto.trigger.threshold", String.valueOf(SNAPSHOT_EVERY),
            "raft.server.log.purge.preservation.log.num", "5",
            "raft.server.log.purge.gap", "1",
            "raft.server.log.segment.size.max", "1KB");

    @TempDir
    static Path dir;
    private static final List<ServerConfig> configs = new ArrayList<>();
    private static final FerryServer[] nodes = new FerryServer[3];

    @BeforeAll
    static void startThreeNodes() throws Exception {
        RATIS.forEach((key, value) -> System.setProperty("ferrymq.cluster.ratis." + key, value));
        int[] ports = {NodeProcess.freePort(), NodeProcess.freePort(), NodeProcess.freePort()};
        String seeds = "n1@127.0.0.1:" + ports[0] + ",n2@127.0.0.1:" + ports[1] + ",n3@127.0.0.1:" + ports[2];
        for (int i = 0; i < 3; i++) {
            configs.add(ServerConfig.defaults().with(Settings.BIND, "127.0.0.1").with(Settings.AMQP_PORT, 0)
                    .with(Settings.MANAGEMENT_PORT, 0).with(Settings.DATA_DIR, dir.resolve("n" + (i + 1)))
                    .with(Settings.NODE_NAME, "n" + (i + 1)).with(Settings.CLUSTER_PORT, ports[i])
                    .with(Settings.CLUSTER_SEEDS, seeds));
            nodes[i] = FerryServer.start(configs.get(i));
        }
    }

    @AfterAll
    static void stopNodes() {
        RATIS.keySet().forEach(key -> System.clearProperty("ferrymq.cluster.ratis." + key));
        for (FerryServer node : nodes) {
            if (node != null) {
                node.close();
            }
        }
    }

    @Test
    @Order(1)
    void anExchangeAndABindingDeclaredOnOneNodeAreVisibleAndRouteOnTheOthers() throws Exception {
        try (Connection connection = connect(1, "guest"); Channel channel = connection.createChannel()) {
            channel.exchangeDeclare("rm.src", BuiltinExchangeType.TOPIC, true);
            channel.exchangeDeclare("rm.dst", BuiltinExchangeType.FANOUT, true);
            channel.exchangeBind("rm.dst", "rm.src", "a.#");
        }
        for (int node : new int[] {2, 3}) {
            awaitApplied(node, "bindings/%2F/e/rm.src/e/rm.dst");
            try (Connection connection = connect(node, "guest"); Channel channel = connection.createChannel()) {
                channel.exchangeDeclarePassive("rm.src");
                String queue = channel.queueDeclare().getQueue(); // local to this node
                channel.queueBind(queue, "rm.dst", "");
                channel.basicPublish("rm.src", "a.b", null, "hello".getBytes(StandardCharsets.UTF_8));
                GetResponse got = awaitMessage(channel, queue);
                assertThat(new String(got.getBody(), StandardCharsets.UTF_8)).isEqualTo("hello");
            }
            assertThat(get(node, "exchanges/%2F/rm.src").path("type").asText()).isEqualTo("topic");
            assertThat(get(node, "bindings/%2F/e/rm.src/e/rm.dst")).hasSize(1);
        }
    }

    @Test
    @Order(2)
    void aUserAddedOnOneNodeLogsInOnAnother() throws Exception {
        assertThat(send(2, "PUT", "users/rm.alice", "{\"password\":\"secret\",\"tags\":\"\"}")).isEqualTo(201);
        assertThat(send(2, "PUT", "permissions/%2F/rm.alice",
                "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}")).isEqualTo(201);
        awaitApplied(3, "permissions/%2F/rm.alice");
        try (Connection connection = connect(3, "rm.alice"); Channel channel = connection.createChannel()) {
            channel.exchangeDeclarePassive("amq.direct");
        }
    }

    @Test
    @Order(3)
    void definitionsImportedOnOneNodeAreOnEveryNode() throws Exception {
        assertThat(send(2, "POST", "definitions", "{\"vhosts\":[{\"name\":\"rm.v\"}],"
                + "\"exchanges\":[{\"name\":\"rm.imported\",\"vhost\":\"rm.v\",\"type\":\"headers\"},"
                + "{\"name\":\"rm.imported.dst\",\"vhost\":\"rm.v\",\"type\":\"fanout\"}],"
                + "\"bindings\":[{\"source\":\"rm.imported\",\"vhost\":\"rm.v\",\"destination\":\"rm.imported.dst\","
                + "\"destination_type\":\"exchange\",\"routing_key\":\"\"}]}")).isIn(200, 201, 204);
        for (int node : new int[] {1, 3}) {
            awaitApplied(node, "bindings/rm.v/e/rm.imported/e/rm.imported.dst");
            assertThat(get(node, "vhosts/rm.v")).isNotNull();
            assertThat(get(node, "exchanges/rm.v/rm.imported").path("type").asText()).isEqualTo("headers");
            assertThat(get(node, "bindings/rm.v/e/rm.imported/e/rm.imported.dst")).hasSize(1);
        }
    }

    @Test
    @Order(4)
    void aPolicySetOnOneNodeAppliesOnAnother() throws Exception {
        assertThat(send(3, "PUT", "policies/%2F/rm.cap",
                "{\"pattern\":\"^rm\\\\.capped\",\"definition\":{\"max-length\":1},\"apply-to\":\"queues\"}"))
                .isEqualTo(201);
        awaitApplied(1, "policies/%2F/rm.cap");
        try (Connection connection = connect(1, "guest"); Channel channel = connection.createChannel()) {
            channel.queueDeclare("rm.capped", false, false, true, null);
            for (int i = 0; i < 3; i++) {
                channel.basicPublish("", "rm.capped", null, new byte[] {(byte) i});
            }
            channel.queueDeclarePassive("rm.capped"); // after the publishes on this channel
            assertThat(channel.queueDeclarePassive("rm.capped").getMessageCount()).isEqualTo(1);
        }
    }

    @Test
    @Order(5)
    void anInequivalentRedeclareIsRefusedWith406OnEveryNode() throws Exception {
        try (Connection connection = connect(1, "guest"); Channel channel = connection.createChannel()) {
            channel.exchangeDeclare("rm.eq", BuiltinExchangeType.DIRECT, true);
        }
        for (int node : new int[] {1, 2, 3}) {
            try (Connection connection = connect(node, "guest")) {
                Channel channel = connection.createChannel();
                assertThatThrownBy(() -> channel.exchangeDeclare("rm.eq", BuiltinExchangeType.FANOUT, true))
                        .hasCauseInstanceOf(ShutdownSignalException.class)
                        .cause().hasMessageContaining("reply-code=406")
                        .hasMessageContaining("inequivalent arg 'type' for exchange 'rm.eq'");
            }
            assertThat(get(node, "exchanges/%2F/rm.eq").path("type").asText()).isEqualTo("direct");
        }
    }

    @Test
    @Order(6)
    void aNodeThatWasDownCatchesUpWhenItComesBack() throws Exception {
        nodes[2].close();
        nodes[2] = null;
        try (Connection connection = connect(1, "guest"); Channel channel = connection.createChannel()) {
            channel.exchangeDeclare("rm.late", BuiltinExchangeType.DIRECT, true);
            channel.exchangeDelete("rm.eq");
            for (int i = 0; i < 2 * SNAPSHOT_EVERY; i++) { // past a snapshot
                channel.exchangeDeclare("rm.many." + i, BuiltinExchangeType.FANOUT, false);
            }
        }
        assertThat(send(2, "PUT", "users/rm.bob", "{\"password\":\"bob\",\"tags\":\"\"}")).isEqualTo(201);
        assertThat(send(2, "PUT", "permissions/%2F/rm.bob",
                "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}")).isEqualTo(201);
        assertThat(send(1, "DELETE", "users/rm.alice", null)).isEqualTo(204);

        nodes[2] = FerryServer.start(configs.get(2));
        try (Connection connection = connect(3, "rm.bob"); Channel channel = connection.createChannel()) {
            channel.exchangeDeclarePassive("rm.late"); // answered once applied here, so after the catch-up
            channel.exchangeDeclarePassive("rm.many." + (2 * SNAPSHOT_EVERY - 1));
        }
        assertThat(get(3, "exchanges/%2F/rm.eq")).isNull();
        assertThat(get(3, "users/rm.alice")).isNull();
        assertThat(get(3, "exchanges/%2F/rm.src").path("type").asText()).isEqualTo("topic");
    }

    private static GetResponse awaitMessage(Channel channel, String queue) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            GetResponse response = channel.basicGet(queue, true);
            if (response != null) {
                return response;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no message in " + queue);
    }

    /**
     * Waits until {@code node} shows the last change made elsewhere (and so every change before it: the log is
     * applied in order). The proposing node answers once it applied a change; the others apply it a moment later,
     * as RabbitMQ 4's Khepri answers from the proposer's own member.
     */
    private static void awaitApplied(int node, String path) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        JsonNode shown = get(node, path);
        while (shown == null || shown.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("node " + node + " does not show " + path);
            }
            Thread.sleep(10);
            shown = get(node, path);
        }
    }

    private static Connection connect(int node, String user) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(nodes[node - 1].amqpPort());
        factory.setUsername(user);
        factory.setPassword(Map.of("guest", "guest", "rm.alice", "secret", "rm.bob", "bob").get(user));
        factory.setAutomaticRecoveryEnabled(false);
        return factory.newConnection();
    }

    private static JsonNode get(int node, String path) throws Exception {
        HttpResponse<String> response = HTTP.send(request(node, path).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
    }

    private static int send(int node, String method, String path, String body) throws IOException,
            InterruptedException {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body);
        return HTTP.send(request(node, path).header("content-type", "application/json").method(method, publisher)
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static HttpRequest.Builder request(int node, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nodes[node - 1].managementPort() + "/api/"
                        + path)).timeout(Duration.ofSeconds(20))
                .header("authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "guest:guest".getBytes(StandardCharsets.UTF_8)));
    }

}
