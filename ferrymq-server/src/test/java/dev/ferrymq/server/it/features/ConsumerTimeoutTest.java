package dev.ferrymq.server.it.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import dev.ferrymq.server.FerryServer;
import dev.ferrymq.server.ServerConfig;
import dev.ferrymq.server.it.BrokerUnderTest;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** consumer_timeout: a delivery left unacknowledged too long closes its channel with 406, as in RabbitMQ. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConsumerTimeoutTest {
    @TempDir
    Path dir;
    private FerryServer server;
    private Connection connection;

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
    void unacknowledgedDeliveryClosesTheChannelAndIsRequeued() throws Exception {
        assumeFalse(!System.getProperty(BrokerUnderTest.EXTERNAL_BROKER_PROPERTY, "").isBlank(),
                "needs an in-process FerryMQ with a short consumer timeout");
        server = FerryServer.start(ServerConfig.defaults().withAmqpPort(0).withBind("127.0.0.1").withDataDir(dir)
                .withManagementPort(-1).withConsumerTimeoutMillis(300));
        ConnectionFactory factory = new ConnectionFactory();
        factory.setPort(server.amqpPort());
        connection = factory.newConnection();
        Channel ch = connection.createChannel();
        ch.queueDeclare("slow", false, false, false, null);
        ch.basicPublish("", "slow", null, "work".getBytes());
        CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
        ch.addShutdownListener(closed::complete);
        ch.basicConsume("slow", false, (tag, delivery) -> { }, tag -> { }); // never acks

        ShutdownSignalException sse = closed.get(10, TimeUnit.SECONDS);
        assertThat(((com.rabbitmq.client.AMQP.Channel.Close) sse.getReason()).getReplyCode()).isEqualTo(406);
        assertThat(sse.getMessage()).contains("delivery acknowledgement on channel 1 timed out");
        Channel again = connection.createChannel();
        assertThat(again.basicGet("slow", true)).as("the message was requeued").isNotNull();
        assertThat(connection.isOpen()).isTrue();
    }
}
