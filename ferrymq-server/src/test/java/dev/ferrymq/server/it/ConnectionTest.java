package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.LongString;
import com.rabbitmq.client.SaslConfig;
import com.rabbitmq.client.SaslMechanism;
import com.rabbitmq.client.ShutdownSignalException;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.impl.LongStringHelper;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Connection negotiation, authentication, virtual hosts and many channels / connections at once. */
class ConnectionTest extends AbstractBrokerIT {

    @Test
    void connectionOpensAndClosesCleanly() throws Exception {
        Connection c = factory().newConnection("open-close");
        try {
            assertThat(c.isOpen()).isTrue();
            Channel ch = c.createChannel();
            assertThat(ch.isOpen()).isTrue();
            assertThat(ch.getChannelNumber()).isEqualTo(1);
            ch.close();
            assertThat(ch.isOpen()).isFalse();
        } finally {
            c.close(5_000);
        }
        assertThat(c.isOpen()).isFalse();
        assertThat(c.getCloseReason().isInitiatedByApplication()).isTrue();
        assertThat(c.getCloseReason().isHardError()).isTrue();
    }

    @Test
    void serverPropertiesAdvertiseRabbitMqCapabilities() throws Exception {
        Connection c = connect();
        Map<String, Object> props = c.getServerProperties();
        assertThat(props).containsKeys("product", "version", "capabilities");
        assertThat(props.get("product")).isInstanceOf(LongString.class);
        assertThat(props.get("capabilities")).isInstanceOf(Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> capabilities = (Map<String, Object>) props.get("capabilities");
        for (String capability : List.of("publisher_confirms", "basic.nack", "consumer_cancel_notify",
                "exchange_exchange_bindings", "connection.blocked", "authentication_failure_close",
                "per_consumer_qos")) {
            assertThat(capabilities).as("capability %s", capability).containsEntry(capability, Boolean.TRUE);
        }
    }

    @Test
    void tuningDefaultsMatchRabbitMq() throws Exception {
        Connection c = connect(); // the client asks for frame_max 0 (no limit), channel_max 2047, heartbeat 60
        assertThat(c.getFrameMax()).isEqualTo(131072);
        assertThat(c.getChannelMax()).isEqualTo(2047);
        assertThat(c.getHeartbeat()).isEqualTo(60);
    }

    @Test
    void clientMayNegotiateLowerLimits() throws Exception {
        ConnectionFactory f = factory();
        f.setRequestedFrameMax(8192);
        f.setRequestedChannelMax(10);
        f.setRequestedHeartbeat(7);
        Connection c = track(f.newConnection());
        assertThat(c.getFrameMax()).isEqualTo(8192);
        assertThat(c.getChannelMax()).isEqualTo(10);
        assertThat(c.getHeartbeat()).isEqualTo(7);
        // a body well above the negotiated frame size still round-trips (split into several body frames)
        Channel ch = c.createChannel();
        String q = ch.queueDeclare().getQueue();
        byte[] body = new byte[50_000];
        Arrays.fill(body, (byte) 'z');
        ch.basicPublish("", q, null, body);
        GetResponse r = ch.basicGet(q, true);
        assertThat(r).isNotNull();
        assertThat(r.getBody()).isEqualTo(body);
    }

    @Test
    void clientHeartbeatsKeepAnIdleConnectionOpen() throws Exception {
        ConnectionFactory f = factory();
        f.setRequestedHeartbeat(1);
        Connection c = track(f.newConnection());
        assertThat(c.getHeartbeat()).isEqualTo(1);
        Thread.sleep(3_500); // several heartbeat intervals without any other traffic
        assertThat(c.isOpen()).isTrue();
        Channel ch = c.createChannel();
        assertThat(ch.queueDeclare().getQueue()).startsWith("amq.gen-");
    }

    @Test
    void wrongPasswordIsRefusedWithAuthenticationFailure() {
        ConnectionFactory f = factory();
        f.setPassword("definitely-not-the-password");
        Throwable t = catchThrowable(() -> track(f.newConnection()));
        assertThat(t).isInstanceOf(AuthenticationFailureException.class);
        // RabbitMQ closes with 403 ACCESS_REFUSED (authentication_failure_close capability)
        assertThat(t.getMessage()).contains("ACCESS_REFUSED");
    }

    @Test
    void unknownUserIsRefusedWithAuthenticationFailure() {
        ConnectionFactory f = factory();
        f.setUsername("no-such-user-" + System.nanoTime());
        assertThatThrownBy(() -> track(f.newConnection())).isInstanceOf(AuthenticationFailureException.class);
    }

    @Test
    void unknownVirtualHostIsNotAllowed() {
        ConnectionFactory f = factory();
        f.setVirtualHost("/no-such-vhost-" + System.nanoTime());
        Throwable t = catchThrowable(() -> track(f.newConnection()));
        assertThat(t).isInstanceOf(IOException.class).isNotInstanceOf(AuthenticationFailureException.class);
        ShutdownSignalException sse = shutdownCause(t);
        assertThat(sse).as("cause chain of %s", t).isNotNull();
        assertThat(sse.isHardError()).isTrue();
        assertThat(sse.getReason()).isInstanceOf(AMQP.Connection.Close.class);
        assertThat(replyCode(sse)).isEqualTo(NOT_ALLOWED);
    }

    @Test
    void amqplainMechanismAuthenticates() throws Exception {
        AmqPlain amqplain = new AmqPlain();
        ConnectionFactory f = factory();
        f.setSaslConfig(amqplain);
        Connection c = track(f.newConnection());
        assertThat(amqplain.offered).contains("PLAIN", "AMQPLAIN");
        assertThat(amqplain.used).isTrue();
        Channel ch = c.createChannel();
        String q = ch.queueDeclare().getQueue();
        publish(ch, "", q, "via AMQPLAIN");
        assertThat(getText(ch, q)).isEqualTo("via AMQPLAIN");
    }

    @Test
    void amqplainWithWrongPasswordIsRefused() {
        ConnectionFactory f = factory();
        f.setSaslConfig(new AmqPlain());
        f.setPassword("wrong");
        assertThatThrownBy(() -> track(f.newConnection())).isInstanceOf(AuthenticationFailureException.class);
    }

    @Test
    void hundredChannelsOnOneConnectionEachPublishAndGet() throws Exception {
        Connection c = connect();
        List<Channel> channels = new ArrayList<>();
        List<String> queues = new ArrayList<>();
        Set<Integer> numbers = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            Channel ch = c.createChannel();
            channels.add(ch);
            numbers.add(ch.getChannelNumber());
            queues.add(ch.queueDeclare("", false, true, true, null).getQueue());
        }
        assertThat(numbers).hasSize(100);
        for (int i = 0; i < 100; i++) {
            publish(channels.get(i), "", queues.get(i), "message-" + i);
        }
        for (int i = 0; i < 100; i++) {
            assertThat(getText(channels.get(i), queues.get(i))).isEqualTo("message-" + i);
            assertThat(channels.get(i).basicGet(queues.get(i), true)).isNull();
        }
        for (Channel ch : channels) {
            ch.close();
        }
        assertThat(c.isOpen()).isTrue();
    }

    @Test
    void fiftyConcurrentConnectionsPublishAndConsume() throws Exception {
        int connectionsCount = 50;
        int perConnection = 20;
        List<Connection> conns = new ArrayList<>();
        List<Channel> channels = new ArrayList<>();
        List<String> queues = new ArrayList<>();
        List<List<String>> received = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(connectionsCount * perConnection);
        for (int i = 0; i < connectionsCount; i++) {
            Connection c = connect();
            conns.add(c);
            Channel ch = c.createChannel();
            channels.add(ch);
            String q = ch.queueDeclare("", false, true, true, null).getQueue();
            queues.add(q);
            List<String> got = new CopyOnWriteArrayList<>();
            received.add(got);
            ch.basicConsume(q, true, new DefaultConsumer(ch) {
                @Override
                public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body) {
                    got.add(text(body));
                    done.countDown();
                }
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(connectionsCount);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < connectionsCount; i++) {
                int from = i;
                futures.add(pool.submit(() -> {
                    // each connection publishes on a channel of its own to the next connection's queue
                    Channel pub = conns.get(from).createChannel();
                    String target = queues.get((from + 1) % connectionsCount);
                    for (int m = 0; m < perConnection; m++) {
                        publish(pub, "", target, from + ":" + m);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(10, TimeUnit.SECONDS);
            }
            assertThat(done.await(10, TimeUnit.SECONDS)).as("all %d messages consumed", done.getCount()).isTrue();
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < connectionsCount; i++) {
            int from = (i + connectionsCount - 1) % connectionsCount;
            List<String> expected = new ArrayList<>();
            for (int m = 0; m < perConnection; m++) {
                expected.add(from + ":" + m);
            }
            assertThat(received.get(i)).as("queue of connection %d", i).containsExactlyElementsOf(expected);
        }
        assertThat(conns).allMatch(Connection::isOpen);
    }

    /** SASL AMQPLAIN (not built into the Java client): the response is a field table without its length prefix. */
    static final class AmqPlain implements SaslConfig {
        volatile List<String> offered = List.of();
        volatile boolean used;

        @Override
        public SaslMechanism getSaslMechanism(String[] mechanisms) {
            offered = List.of(mechanisms);
            if (!offered.contains("AMQPLAIN")) {
                return null;
            }
            return new SaslMechanism() {
                @Override
                public String getName() {
                    return "AMQPLAIN";
                }

                @Override
                public LongString handleChallenge(LongString challenge, String username, String password) {
                    used = true;
                    try {
                        ByteArrayOutputStream buf = new ByteArrayOutputStream();
                        DataOutputStream out = new DataOutputStream(buf);
                        entry(out, "LOGIN", username);
                        entry(out, "PASSWORD", password);
                        return LongStringHelper.asLongString(buf.toByteArray());
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
            };
        }

        private static void entry(DataOutputStream out, String key, String value) throws IOException {
            byte[] k = key.getBytes(StandardCharsets.UTF_8);
            byte[] v = value.getBytes(StandardCharsets.UTF_8);
            out.writeByte(k.length);
            out.write(k);
            out.writeByte('S');
            out.writeInt(v.length);
            out.write(v);
        }
    }
}
