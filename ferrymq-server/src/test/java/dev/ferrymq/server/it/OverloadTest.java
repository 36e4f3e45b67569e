package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * A lighter, in-suite version of {@code bench/overload.sh}: many concurrent connections and thousands of queues
 * on one broker, each queue getting a confirmed message that must come back, without errors.
 */
class OverloadTest extends AbstractBrokerIT {
    private static final int CONNECTIONS = 200;
    private static final int QUEUES = 2_000;

    @Test
    void twoHundredConnectionsAndTwoThousandQueuesAllServed() throws Exception {
        ConnectionFactory factory = factory();
        ExecutorService shared = Executors.newFixedThreadPool(4);
        factory.setSharedExecutor(shared);
        List<Connection> connections = new ArrayList<>();
        List<Channel> channels = new ArrayList<>();
        try {
            for (int i = 0; i < CONNECTIONS; i++) {
                Connection c = factory.newConnection("overload-" + i);
                connections.add(c);
                channels.add(c.createChannel());
            }
            String prefix = unique("overload");
            for (int q = 0; q < QUEUES; q++) {
                channels.get(q % CONNECTIONS).queueDeclare(queueToDelete(prefix + "." + q), false, false, true,
                        null);
            }
            ExecutorService workers = Executors.newFixedThreadPool(8);
            List<Future<Integer>> verified = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                Channel ch = channels.get(i);
                int first = i;
                verified.add(workers.submit(() -> {
                    ch.confirmSelect();
                    for (int q = first; q < QUEUES; q += CONNECTIONS) {
                        ch.basicPublish("", prefix + "." + q, null, bytes("m" + q));
                    }
                    ch.waitForConfirmsOrDie(WAIT.toMillis() * 2);
                    int ok = 0;
                    for (int q = first; q < QUEUES; q += CONNECTIONS) {
                        GetResponse r = ch.basicGet(prefix + "." + q, true);
                        ok += r != null && text(r.getBody()).equals("m" + q) ? 1 : 0;
                    }
                    return ok;
                }));
            }
            int total = 0;
            for (Future<Integer> f : verified) {
                total += f.get();
            }
            workers.shutdown();
            assertThat(total).as("messages published, confirmed and got back").isEqualTo(QUEUES);
            if (!broker.isExternal()) {
                assertThat(broker.server().connectionCount()).isGreaterThanOrEqualTo(CONNECTIONS);
            }
        } finally {
            for (Connection c : connections) {
                c.abort(1_000); // before the shared executor stops, which the client needs to shut down
            }
            shared.shutdown();
        }
    }
}
