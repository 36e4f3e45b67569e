package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.ferrymq.server.alarm.Alarms;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Resource alarms as RabbitMQ has them: while the disk or memory alarm is set, a connection that publishes gets
 * connection.blocked and is not read from; consumers keep draining; connection.unblocked follows when the alarm
 * clears and the held-back publishes are then processed and confirmed. The limits are changed at runtime (as
 * {@code rabbitmqctl set_disk_free_limit} does), so no disk has to be filled.
 */
class AlarmsTest extends AbstractBrokerIT {
    private Alarms alarms;

    @BeforeEach
    void alarmsOfTheBroker() {
        assumeFalse(broker.isExternal(), "needs the in-process broker to set alarms");
        alarms = broker.server().alarms();
    }

    @AfterEach
    void clearAlarms() {
        if (alarms != null) {
            alarms.setDiskFreeLimit(50L * 1024 * 1024);
            alarms.setMemoryHighWatermark(0.6);
        }
    }

    @Test
    void diskAlarmBlocksPublishersUntilItClearsWhileConsumersDrain() throws Exception {
        Channel setup = openChannel();
        String published = declareQueue(setup);
        String backlog = declareQueue(setup);
        publishConfirmed(setup, "", backlog, "b1", "b2", "b3");

        Connection publisherConnection = connect();
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        publisherConnection.addBlockedListener(new BlockedListener() {
            @Override
            public void handleBlocked(String reason) {
                events.add("blocked: " + reason);
            }

            @Override
            public void handleUnblocked() {
                events.add("unblocked");
            }
        });
        Channel publisher = publisherConnection.createChannel();
        publisher.confirmSelect();
        Channel consumer = connect().createChannel();

        alarms.setDiskFreeLimit(Long.MAX_VALUE); // no disk has that much free space
        assertThat(alarms.isDiskAlarm()).isTrue();
        assertThat(alarms.isMemoryAlarm()).isFalse();

        for (int i = 0; i < 10; i++) {
            publisher.basicPublish("", published, null, bytes("m" + i));
        }
        assertThat(events.poll(5, TimeUnit.SECONDS)).isEqualTo("blocked: low on disk");
        assertThat(broker.server().blockedConnectionCount()).isEqualTo(1);
        Thread.sleep(300);
        assertThat(messageCount(setup.getConnection(), published))
                .as("at most the publish that triggered the block got through").isLessThanOrEqualTo(1);

        // a consume-only connection is not blocked: it drains the backlog during the alarm
        for (String expected : List.of("b1", "b2", "b3")) {
            GetResponse got = consumer.basicGet(backlog, true);
            assertThat(got).isNotNull();
            assertThat(text(got.getBody())).isEqualTo(expected);
        }

        alarms.setDiskFreeLimit(0);
        assertThat(events.poll(5, TimeUnit.SECONDS)).isEqualTo("unblocked");
        publisher.waitForConfirmsOrDie(WAIT.toMillis());
        assertThat(messageCount(setup.getConnection(), published)).as("every held-back publish").isEqualTo(10);
        assertThat(broker.server().blockedConnectionCount()).isZero();
    }

    @Test
    void memoryAlarmBlocksPublishersWithItsReason() throws Exception {
        Connection publisherConnection = connect();
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        publisherConnection.addBlockedListener(reason -> events.add("blocked: " + reason),
                () -> events.add("unblocked"));
        Channel publisher = publisherConnection.createChannel();
        String q = declareQueue(publisher);
        publisher.confirmSelect();

        alarms.setMemoryHighWatermark(1e-9); // a few bytes: always exceeded
        assertThat(alarms.isMemoryAlarm()).isTrue();
        publisher.basicPublish("", q, null, bytes("m"));
        assertThat(events.poll(5, TimeUnit.SECONDS)).isEqualTo("blocked: low on memory");

        alarms.setMemoryHighWatermark(0.6);
        assertThat(alarms.isMemoryAlarm()).isFalse();
        assertThat(events.poll(5, TimeUnit.SECONDS)).isEqualTo("unblocked");
        publisher.basicPublish("", q, null, bytes("m2"));
        publisher.waitForConfirmsOrDie(WAIT.toMillis());
    }

    @Test
    void connectionsThatDoNotPublishAreNotBlocked() throws Exception {
        Connection idle = connect();
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        idle.addBlockedListener(reason -> events.add("blocked"), () -> events.add("unblocked"));
        Channel ch = idle.createChannel();
        alarms.setDiskFreeLimit(Long.MAX_VALUE);
        String q = declareQueue(ch); // declaring, binding, getting: all still answered
        assertThat(ch.basicGet(q, true)).isNull();
        assertThat(events.poll(300, TimeUnit.MILLISECONDS)).isNull();
        alarms.setDiskFreeLimit(0);
    }

    @Test
    void alarmStateIsVisibleThroughTheBrokerApi() throws IOException {
        assertThat(alarms.anyAlarm()).isFalse();
        assertThat(alarms.reason()).isEmpty();
        alarms.setDiskFreeLimit(Long.MAX_VALUE);
        alarms.setMemoryHighWatermark(1e-9);
        assertThat(alarms.reason()).isEqualTo("low on memory, low on disk");
        assertThat(alarms.memoryLimit()).isLessThan(1_000);
    }
}
