package dev.ferrymq.broker.queue;

import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.broker.queue.classic.ClassicQueueType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** x-queue-type selects the implementation; a type registered from outside the broker plugs in. */
class QueueTypesTest {
    private static final String TEST_TYPE = "test-recording";
    private final VirtualHost vhost = new VirtualHost("/");

    @AfterEach
    void unregister() {
        QueueTypes.unregister(TEST_TYPE);
    }

    private Queue declare(String name, Map<String, Object> args) {
        return vhost.declareQueue(name, false, false, false, false, args, null).queue();
    }

    @Test
    void classicWhenAbsentAndWhenAskedFor() {
        assertThat(declare("plain", Map.of()).type()).isSameAs(ClassicQueueType.INSTANCE);
        assertThat(declare("classic", Map.of("x-queue-type", "classic")).type()).isSameAs(ClassicQueueType.INSTANCE);
        assertThat(declare("bytes", Map.of("x-queue-type", "classic".getBytes(StandardCharsets.UTF_8))).type())
                .isSameAs(ClassicQueueType.INSTANCE);
    }

    @Test
    void aTypeThatIsNotInstalledIsA406WithRabbitMqsWording() {
        for (String type : List.of("quorum", "nonsense")) {
            assertThatThrownBy(() -> declare("q-" + type, Map.of("x-queue-type", type)))
                    .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.replyCode()).isEqualTo(406))
                    .hasMessageEndingWith("invalid arg 'x-queue-type' for queue 'q-" + type + "' in vhost '/': only 'classic', 'stream'"
                            + " queues are supported by FerryMQ, not '" + type + "' (got " + type + ")");
        }
        assertThat(vhost.queues()).isEmpty();
    }

    @Test
    void aRegisteredTypeIsSelectedAndTheRouterTalksToIt() {
        List<String> calls = new ArrayList<>();
        QueueTypes.register(new QueueType() {
            @Override
            public String name() {
                return TEST_TYPE;
            }

            @Override
            public Queue create(QueueHost host, QueueDeclaration declaration) {
                Queue classic = ClassicQueueType.INSTANCE.create(host, declaration);
                QueueType self = this;
                return (Queue) Proxy.newProxyInstance(Queue.class.getClassLoader(), new Class<?>[] {Queue.class},
                        (proxy, method, args) -> {
                            calls.add(method.getName());
                            return method.getName().equals("type") ? self : method.invoke(classic, args);
                        });
            }
        });
        Queue queue = declare("custom", Map.of("x-queue-type", TEST_TYPE));
        assertThat(queue.type().name()).isEqualTo(TEST_TYPE);
        assertThat(vhost.queues()).hasSize(1);
        assertThat(vhost.queues().iterator().next()).isSameAs(queue);

        vhost.publish("", "custom", new Message("", "custom", new byte[0], new byte[] {1}, false), () -> null);
        assertThat(calls).contains("publish");
        assertThat(queue.messageCount()).isEqualTo(1);
        assertThatThrownBy(() -> declare("custom", Map.of("x-queue-type", "classic")))
                .as("redeclaring with another type is inequivalent").isInstanceOf(BrokerException.class);
    }
}
