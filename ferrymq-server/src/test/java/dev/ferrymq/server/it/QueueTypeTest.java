package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.queue.QueueDeclaration;
import dev.ferrymq.broker.queue.QueueHost;
import dev.ferrymq.broker.queue.QueueType;
import dev.ferrymq.broker.queue.QueueTypes;
import dev.ferrymq.broker.queue.classic.ClassicQueueType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * x-queue-type over AMQP: a queue type registered from outside the broker (here, a recording wrapper around the
 * classic queue) is selected by queue.declare and served by the unchanged channel: publish, consume, get.
 */
class QueueTypeTest extends AbstractBrokerIT {
    private static final String TYPE = "it-recording";
    private final List<String> calls = new CopyOnWriteArrayList<>();

    @BeforeEach
    void registerType() {
        Assumptions.assumeFalse(broker.isExternal(), "registers a queue type in the broker's process");
        QueueTypes.register(new QueueType() {
            @Override
            public String name() {
                return TYPE;
            }

            @Override
            public Queue create(QueueHost host, QueueDeclaration declaration) {
                Queue classic = ClassicQueueType.INSTANCE.create(host, declaration);
                QueueType self = this;
                return (Queue) Proxy.newProxyInstance(Queue.class.getClassLoader(), new Class<?>[] {Queue.class},
                        (proxy, method, args) -> {
                            calls.add(method.getName());
                            if (method.getName().equals("type")) {
                                return self;
                            }
                            try {
                                return method.invoke(classic, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
            }
        });
    }

    @AfterEach
    void unregisterType() {
        QueueTypes.unregister(TYPE);
    }

    @Test
    void aRegisteredQueueTypeIsDeclaredPublishedToConsumedAndGotFromOverAmqp() throws Exception {
        Channel ch = openChannel();
        String q = queueToDelete(unique("typed"));
        ch.queueDeclare(q, false, false, false, Map.of("x-queue-type", TYPE));
        assertThat(calls).as("created by the registered type").isNotEmpty();

        publish(ch, "", q, "one");
        publish(ch, "", q, "two");
        GetResponse got = ch.basicGet(q, true);
        assertThat(text(got.getBody())).isEqualTo("one");
        BlockingQueue<String> received = new ArrayBlockingQueue<>(1);
        ch.basicConsume(q, true, (tag, d) -> received.add(text(d.getBody())), tag -> { });
        assertThat(received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("two");
        assertThat(calls).contains("publish", "get", "addConsumer");

        assertThat(ch.queueDeclarePassive(q).getMessageCount()).isZero();
    }
}
