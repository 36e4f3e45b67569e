package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import dev.ferrymq.server.config.ServerConfig;
import dev.ferrymq.server.config.Settings;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A persistent message that every queue delivered and had acknowledged is confirmed without waiting for the
 * fsync (RabbitMQ does the same); one still in a queue waits for it. The broker's group commit is slowed to
 * 3 s so that the two cases are far apart.
 */
class EarlyConfirmTest extends AbstractBrokerIT {
    private static final long GROUP_COMMIT_MICROS = 3_000_000;
    private static final AMQP.BasicProperties PERSISTENT = new AMQP.BasicProperties.Builder().deliveryMode(2).build();

    @Override
    protected ServerConfig configure(ServerConfig defaults) {
        return defaults.with(Settings.GROUP_COMMIT_DELAY_US, GROUP_COMMIT_MICROS);
    }

    @Test
    void consumedAndAcknowledgedMessageIsConfirmedBeforeTheFsync() throws Exception {
        assumeFalse(broker.isExternal(), "needs an in-process FerryMQ with a slow group commit");
        Channel consumer = openChannel();
        String q = queueToDelete(unique("early"));
        consumer.queueDeclare(q, true, false, false, null);
        consumer.basicConsume(q, false, (tag, delivery) ->
                consumer.basicAck(delivery.getEnvelope().getDeliveryTag(), false), tag -> { });
        Channel publisher = openChannel();
        publisher.confirmSelect();

        long start = System.nanoTime();
        publisher.basicPublish("", q, PERSISTENT, bytes("consumed"));
        publisher.waitForConfirmsOrDie(10_000);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1_500);
    }

    @Test
    void messageStillQueuedWaitsForTheFsync() throws Exception {
        assumeFalse(broker.isExternal(), "needs an in-process FerryMQ with a slow group commit");
        Channel publisher = openChannel();
        String q = queueToDelete(unique("waiting"));
        publisher.queueDeclare(q, true, false, false, null);
        publisher.confirmSelect();

        long start = System.nanoTime();
        publisher.basicPublish("", q, PERSISTENT, bytes("queued"));
        publisher.waitForConfirmsOrDie(10_000);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(2_500);
    }
}
