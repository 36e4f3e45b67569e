package dev.ferrymq.embedded;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FerryMQBrokerTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static Connection connect(FerryMQBroker broker) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(broker.amqpUri());
        factory.setAutomaticRecoveryEnabled(false);
        return factory.newConnection();
    }

    private static Path definitions() throws URISyntaxException {
        return Path.of(FerryMQBrokerTest.class.getResource("/definitions.json").toURI());
    }

    @Test
    void startsOnAFreePortAndTheRabbitMQClientUsesItsUri() throws Exception {
        try (FerryMQBroker broker = FerryMQBroker.builder().amqpPort(0).inMemory().start();
             Connection connection = connect(broker); Channel channel = connection.createChannel()) {
            assertThat(broker.port()).isPositive();
            assertThat(broker.amqpUri()).isEqualTo("amqp://guest:guest@127.0.0.1:" + broker.port());
            assertThat(broker.virtualHost()).isEqualTo("/");
            channel.queueDeclare("hello", false, false, false, null);
            channel.basicPublish("", "hello", null, "Hello World!".getBytes(StandardCharsets.UTF_8));
            GetResponse response = channel.basicGet("hello", true);
            assertThat(new String(response.getBody(), StandardCharsets.UTF_8)).isEqualTo("Hello World!");
        }
    }

    @Test
    void inMemoryStoreIsOnTmpfsAndDeletedOnClose() throws Exception {
        FerryMQBroker broker = FerryMQBroker.builder().inMemory().start();
        Path dir = broker.dataDir();
        if (Files.isDirectory(Path.of("/dev/shm"))) {
            assertThat(dir.getParent()).isEqualTo(Path.of("/dev/shm"));
        }
        assertThat(dir).isNotEmptyDirectory();
        broker.close();
        assertThat(dir).doesNotExist();
    }

    @Test
    void restartKeepsThePortDurableTopologyAndPersistentMessages() throws Exception {
        try (FerryMQBroker broker = FerryMQBroker.builder().start()) {
            int port = broker.port();
            try (Connection connection = connect(broker); Channel channel = connection.createChannel()) {
                channel.queueDeclare("durable", true, false, false, null);
                channel.queueDeclare("transient", false, false, false, null);
                channel.confirmSelect();
                channel.basicPublish("", "durable", new AMQP.BasicProperties.Builder().deliveryMode(2).build(),
                        "kept".getBytes(StandardCharsets.UTF_8));
                channel.waitForConfirmsOrDie(5_000);
            }
            broker.restart();
            assertThat(broker.port()).isEqualTo(port);
            assertThat(broker.queue("transient").exists()).isFalse();
            assertThat(broker.awaitMessages("durable", 1, WAIT)).extracting(ReceivedMessage::bodyAsString)
                    .containsExactly("kept");
        }
    }

    @Test
    void dataDirKeepsTheStoreForTheNextBroker(@TempDir Path dir) throws Exception {
        try (FerryMQBroker broker = FerryMQBroker.builder().dataDir(dir).start();
             Connection connection = connect(broker); Channel channel = connection.createChannel()) {
            channel.queueDeclare("durable", true, false, false, null);
        }
        assertThat(dir).isNotEmptyDirectory();
        try (FerryMQBroker broker = FerryMQBroker.builder().dataDir(dir).start()) {
            assertThat(broker.queue("durable").exists()).isTrue();
        }
    }

    @Test
    void definitionsAreLoadedAtStartAndAgainByResetAll() throws Exception {
        try (FerryMQBroker broker = FerryMQBroker.builder().definitions(definitions()).start();
             MessageTap tap = broker.publishedTo("orders", "order.*");
             Connection connection = connect(broker); Channel channel = connection.createChannel()) {
            channel.basicPublish("orders", "order.created", null, "1".getBytes(StandardCharsets.UTF_8));
            assertThat(broker.awaitMessages("orders.created", 1, WAIT)).hasSize(1);
            channel.queueDeclare("scratch", false, false, false, null);

            broker.resetAll();

            assertThat(broker.queue("scratch").exists()).isFalse();
            channel.basicPublish("orders", "order.created", null, "2".getBytes(StandardCharsets.UTF_8));
            assertThat(broker.awaitMessages("orders.created", 1, WAIT)).extracting(ReceivedMessage::bodyAsString)
                    .containsExactly("2");
        }
    }

    @Test
    void aBadDefinitionsFileFailsTheStartNamingTheFile(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.json"), "{\"queues\": [{\"name\": \"q\", \"vhost\": \"nope\"}]}");
        assertThatThrownBy(() -> FerryMQBroker.builder().definitions(bad).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad.json").hasMessageContaining("vhost 'nope' does not exist");
    }

    @Test
    void resetAllDeletesQueuesExchangesBindingsAndPoliciesButKeepsTheBuiltInExchanges() throws Exception {
        try (FerryMQBroker broker = FerryMQBroker.builder().start();
             Connection connection = connect(broker)) {
            Channel channel = connection.createChannel(); // closed by its channel error
            channel.exchangeDeclare("events", "topic", true);
            channel.queueDeclare("durable", true, false, false, null);
            String exclusive = channel.queueDeclare().getQueue();
            channel.queueBind("durable", "amq.topic", "#");
            Channel consuming = connection.createChannel();
            consuming.basicConsume(exclusive, true, (tag, delivery) -> { }, tag -> { });

            broker.resetAll();

            assertThat(broker.queue("durable").exists()).isFalse();
            assertThat(broker.queue(exclusive).exists()).isFalse();
            assertThatThrownBy(() -> channel.exchangeDeclarePassive("events")).isInstanceOf(IOException.class);
            try (Channel fresh = connection.createChannel()) {
                fresh.exchangeDeclarePassive("amq.topic");
                fresh.queueDeclare("durable", true, false, false, null);
                // the old binding from amq.topic went with the queue: nothing routes there any more
                fresh.basicPublish("amq.topic", "any", null, new byte[0]);
                assertThat(broker.queue("durable").messageCount()).isZero();
            }
        }
    }

    @Test
    void purgeAllDropsMessagesButKeepsQueuesAndConsumers() throws Exception {
        try (FerryMQBroker broker = FerryMQBroker.builder().start();
             Connection connection = connect(broker); Channel channel = connection.createChannel()) {
            channel.queueDeclare("a", false, false, false, null);
            channel.queueDeclare("b", false, false, false, null);
            channel.basicConsume("b", false, (tag, delivery) -> { }, tag -> { });
            channel.confirmSelect();
            channel.basicPublish("", "a", null, new byte[1]);
            channel.waitForConfirmsOrDie(5_000);

            broker.purgeAll();

            assertThat(broker.queue("a").messageCount()).isZero();
            assertThat(broker.queue("b").consumerCount()).isEqualTo(1);
        }
    }

    @Test
    void queueCountsAreReadLive() throws Exception {
        try (FerryMQBroker broker = FerryMQBroker.builder().start();
             Connection connection = connect(broker); Channel channel = connection.createChannel()) {
            channel.queueDeclare("orders", false, false, false, null);
            QueueView orders = broker.queue("orders");
            assertThat(orders.messageCount()).isZero();
            channel.confirmSelect();
            channel.basicPublish("", "orders", null, new byte[1]);
            channel.basicPublish("", "orders", null, new byte[1]);
            channel.waitForConfirmsOrDie(5_000);
            assertThat(orders.messageCount()).isEqualTo(2);
            channel.basicConsume("orders", false, (tag, delivery) -> { }, tag -> { });
            assertThat(orders.consumerCount()).isEqualTo(1);
            assertThatThrownBy(() -> broker.queue("missing").messageCount())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("missing");
        }
    }

    @Test
    void awaitMessagesReturnsBodiesAndPropertiesAndFailsWhenTooFewArrive() throws Exception {
        try (FerryMQBroker broker = FerryMQBroker.builder().start();
             Connection connection = connect(broker); Channel channel = connection.createChannel()) {
            channel.queueDeclare("orders", false, false, false, null);
            AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().contentType("application/json")
                    .correlationId("c-1").headers(Map.of("tenant", "acme")).build();
            channel.basicPublish("", "orders", properties, "{\"id\":1}".getBytes(StandardCharsets.UTF_8));

            List<ReceivedMessage> messages = broker.awaitMessages("orders", 1, WAIT);

            assertThat(messages).hasSize(1);
            ReceivedMessage message = messages.get(0);
            assertThat(message.bodyAsString()).isEqualTo("{\"id\":1}");
            assertThat(message.routingKey()).isEqualTo("orders");
            assertThat(message.properties().getContentType()).isEqualTo("application/json");
            assertThat(message.properties().getCorrelationId()).isEqualTo("c-1");
            assertThat(message.header("tenant")).hasToString("acme");
            assertThatThrownBy(() -> broker.awaitMessages("orders", 1, Duration.ofMillis(50)))
                    .isInstanceOf(AssertionError.class).hasMessageContaining("expected 1 message(s) on queue 'orders'");
        }
    }

    @Test
    void publishedToRecordsWhatTheExchangeRoutesForTheKey() throws Exception {
        try (FerryMQBroker broker = FerryMQBroker.builder().start();
             Connection connection = connect(broker); Channel channel = connection.createChannel()) {
            channel.exchangeDeclare("events", "topic");
            try (MessageTap created = broker.publishedTo("events", "order.created")) {
                channel.basicPublish("events", "order.cancelled", null, "no".getBytes(StandardCharsets.UTF_8));
                channel.basicPublish("events", "order.created", null, "yes".getBytes(StandardCharsets.UTF_8));

                assertThat(created.await(1, WAIT)).extracting(ReceivedMessage::bodyAsString).containsExactly("yes");
                assertThat(created.messages().get(0).exchange()).isEqualTo("events");
                assertThatThrownBy(() -> created.await(2, Duration.ofMillis(50))).isInstanceOf(AssertionError.class);
            }
            assertThatThrownBy(() -> broker.publishedTo("missing", "x")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("missing");
        }
    }

    @Test
    void settingsAreTakenByTheirConfigKey() throws Exception {
        assertThatThrownBy(() -> FerryMQBroker.builder().setting("no-such-key", "1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no-such-key");
        try (FerryMQBroker broker = FerryMQBroker.builder().setting("max-queues-per-vhost", "1").start();
             Connection connection = connect(broker)) {
            Channel channel = connection.createChannel(); // closed by its channel error
            channel.queueDeclare("one", false, false, false, null);
            assertThatThrownBy(() -> channel.queueDeclare("two", false, false, false, null))
                    .isInstanceOf(IOException.class);
        }
    }

    @Test
    void managementPortZeroServesTheManagementApi() throws Exception {
        try (FerryMQBroker broker = FerryMQBroker.builder().managementPort(0).start()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + broker.managementPort()
                            + "/api/overview"))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("guest:guest".getBytes()))
                    .build();
            HttpResponse<String> response = HttpClient.newHttpClient().send(request,
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
        }
        try (FerryMQBroker broker = FerryMQBroker.builder().start()) {
            assertThat(broker.managementPort()).isEqualTo(-1);
        }
    }

    @Test
    void anExternalBrokerGetsTheHelpersButNotTheLifecycle() throws Exception {
        try (FerryMQBroker running = FerryMQBroker.builder().start()) {
            try (FerryMQBroker external = FerryMQBroker.external(running.amqpUri());
                 Connection connection = connect(external); Channel channel = connection.createChannel()) {
                channel.queueDeclare("q", false, false, false, null);
                channel.basicPublish("", "q", null, "x".getBytes(StandardCharsets.UTF_8));
                assertThat(external.awaitMessages("q", 1, WAIT)).hasSize(1);
                assertThat(external.isEmbedded()).isFalse();
                assertThatThrownBy(external::resetAll).isInstanceOf(UnsupportedOperationException.class);
                assertThatThrownBy(external::restart).isInstanceOf(UnsupportedOperationException.class);
            }
            assertThat(running.queue("q").exists()).as("closing the handle leaves the broker running").isTrue();
        }
    }

    @Test
    void theEmbeddedClasspathHasNeitherPicocliNorLogbackNorRatisNorALogbackConfiguration() {
        // What the pom brings (java.class.path; not the lib/ entries of the server jar's manifest, which only exist
        // beside the jar in ferrymq-server/target, never in a Maven repository).
        assertThat(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .noneMatch(entry -> entry.contains("picocli") || entry.contains("logback")
                        || entry.contains("ratis"));
        // a logback.xml in a library jar would replace the application's own (Spring Boot's too)
        assertThat(FerryMQBrokerTest.class.getClassLoader().getResource("logback.xml")).isNull();
    }
}
