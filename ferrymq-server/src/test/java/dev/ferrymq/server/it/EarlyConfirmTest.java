package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.ferrymq.server.FerryServer;
import dev.ferrymq.server.ServerConfig;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A persistent message that every queue delivered and had acknowledged is confirmed without waiting for the
 * fsync (RabbitMQ does the same); one still in a queue waits for it. The broker's group commit is slowed to
 * 3 s so that the two cases are far apart.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EarlyConfirmTest {
    private static final long GROUP_COMMIT_MICROS = 3_000_000;
    private static final AMQP.BasicProperties PERSISTENT = new AMQP.BasicProperties.Builder().deliveryMode(2).build();

    @TempDir
    Path dir;
    private FerryServer server;
    private Connection connection;

    @BeforeEach
    void start() throws Exception {
        assumeFalse(!System.getProperty(BrokerUnderTest.EXTERNAL_BROKER_PROPERTY, "").isBlank(),
                "needs an in-process FerryMQ with a slow group commit");
        server = FerryServer.start(ServerConfig.defaults().withAmqpPort(0).withBind("127.0.0.1").withDataDir(dir)
                .withGroupCommitDelayMicros(GROUP_COMMIT_MICROS));
        ConnectionFactory factory = new ConnectionFactory();
        factory.setPort(server.amqpPort());
        connection = factory.newConnection();
    }

    @AfterEach
    void stop() throws Exception {
        if (connection != null) {
            connection.abort();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void consumedAndAcknowledgedMessageIsConfirmedBeforeTheFsync() throws Exception {
        Channel consumer = connection.createChannel();
        consumer.queueDeclare("early", true, false, false, null);
        consumer.basicConsume("early", false, (tag, delivery) ->
                consumer.basicAck(delivery.getEnvelope().getDeliveryTag(), false), tag -> { });
        Channel publisher = connection.createChannel();
        publisher.confirmSelect();

        long start = System.nanoTime();
        publisher.basicPublish("", "early", PERSISTENT, "consumed".getBytes());
        publisher.waitForConfirmsOrDie(10_000);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1_500);
    }

    @Test
    void messageStillQueuedWaitsForTheFsync() throws Exception {
        Channel publisher = connection.createChannel();
        publisher.queueDeclare("waiting", true, false, false, null);
        publisher.confirmSelect();

        long start = System.nanoTime();
        publisher.basicPublish("", "waiting", PERSISTENT, "queued".getBytes());
        publisher.waitForConfirmsOrDie(10_000);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(2_500);
    }
}
