package dev.ferrymq.junit;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.ferrymq.embedded.FerryMQBroker;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/** Runs test classes written for the testkit and records what their tests saw. */
final class Cases {
    /** Brokers seen by the tests of the case that ran last, in order. */
    static final List<FerryMQBroker> SEEN = new CopyOnWriteArrayList<>();

    private Cases() {
    }

    /** Runs a case class; every one of its tests must pass (the failures are printed if not). */
    static void runAllPassing(Class<?> testClass, int tests) {
        SEEN.clear();
        Events events = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.conditions.deactivate", "org.junit.*DisabledCondition")
                .selectors(selectClass(testClass)).execute().testEvents();
        assertThat(events.failed().stream().map(e -> e.getPayload().map(Object::toString).orElse("?")).toList())
                .as("failures of " + testClass.getSimpleName()).isEmpty();
        events.assertStatistics(stats -> stats.started(tests).succeeded(tests));
    }

    /** Declares a queue through the RabbitMQ Java client, as a test would. */
    static void declareQueue(FerryMQBroker broker, String queue) throws Exception {
        try (Connection connection = connect(broker); Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, false, false, false, null);
            channel.basicPublish("", queue, null, new byte[1]);
        }
    }

    static Connection connect(FerryMQBroker broker) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(broker.amqpUri());
        factory.setAutomaticRecoveryEnabled(false);
        return factory.newConnection();
    }

    /** Whether anything accepts AMQP connections at the broker's address. */
    static boolean accepting(FerryMQBroker broker) {
        try (Connection ignored = connect(broker)) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
