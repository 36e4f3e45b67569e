package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import dev.ferrymq.server.config.ServerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Base class of the integration tests: one {@link BrokerUnderTest} per test class, helpers to open
 * connections that are closed after each test, unique names (the suite can share a long-running broker),
 * clean-up of the queues and exchanges a test registers, and assertions on AMQP close codes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
public abstract class AbstractBrokerIT {

    /** Bound for every wait on the broker. */
    protected static final Duration WAIT = Duration.ofSeconds(5);

    // AMQP 0-9-1 reply codes
    protected static final int REPLY_SUCCESS = 200;
    protected static final int NO_ROUTE = 312;
    protected static final int ACCESS_REFUSED = 403;
    protected static final int NOT_FOUND = 404;
    protected static final int RESOURCE_LOCKED = 405;
    protected static final int PRECONDITION_FAILED = 406;
    protected static final int CONNECTION_FORCED = 320;
    protected static final int FRAME_ERROR = 501;
    protected static final int SYNTAX_ERROR = 502;
    protected static final int COMMAND_INVALID = 503;
    protected static final int CHANNEL_ERROR = 504;
    protected static final int UNEXPECTED_FRAME = 505;
    protected static final int NOT_ALLOWED = 530;
    protected static final int NOT_IMPLEMENTED = 540;

    protected BrokerUnderTest broker;

    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final List<String> queuesToDelete = new CopyOnWriteArrayList<>();
    private final List<String> exchangesToDelete = new CopyOnWriteArrayList<>();

    @BeforeAll
    void startBroker() throws Exception {
        broker = BrokerUnderTest.start(this::configure);
    }

    /** Override to start this class's broker with other settings (limits, alarms, TLS). */
    protected ServerConfig configure(ServerConfig defaults) {
        return defaults;
    }

    @AfterAll
    void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    @AfterEach
    void cleanUp() {
        for (Connection c : connections) {
            if (c.isOpen()) {
                try {
                    c.close(2_000);
                } catch (Exception e) {
                    c.abort(1_000);
                }
            }
        }
        connections.clear();
        if (queuesToDelete.isEmpty() && exchangesToDelete.isEmpty()) {
            return;
        }
        try (Connection c = factory().newConnection("it-cleanup")) {
            for (String q : queuesToDelete) {
                try (Channel ch = c.createChannel()) {
                    ch.queueDelete(q);
                } catch (Exception ignored) {
                    // already gone, or the channel was closed by an error: nothing to clean
                }
            }
            for (String x : exchangesToDelete) {
                try (Channel ch = c.createChannel()) {
                    ch.exchangeDelete(x);
                } catch (Exception ignored) {
                    // already gone
                }
            }
        } catch (Exception ignored) {
            // best effort: names are unique per run anyway
        } finally {
            queuesToDelete.clear();
            exchangesToDelete.clear();
        }
    }

    // ---------------------------------------------------------------- connections and names

    /** A fresh factory for the broker under test (guest/guest, "/", no recovery, bounded timeouts). */
    protected ConnectionFactory factory() {
        return broker.connectionFactory();
    }

    /** Opens a connection that is closed after the test. */
    protected Connection connect() throws IOException, TimeoutException {
        return track(factory().newConnection("it-" + getClass().getSimpleName()));
    }

    /** Registers a connection to be closed after the test. */
    protected Connection track(Connection c) {
        connections.add(c);
        return c;
    }

    /** A channel on a fresh connection. */
    protected Channel openChannel() throws IOException, TimeoutException {
        return connect().createChannel();
    }

    /** A name unique to this run, e.g. {@code it.queue.3f2a9c1b}. */
    protected static String unique(String prefix) {
        return "it." + prefix + "." + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Registers a queue name for deletion after the test and returns it. */
    protected String queueToDelete(String name) {
        queuesToDelete.add(name);
        return name;
    }

    /** Registers an exchange name for deletion after the test and returns it. */
    protected String exchangeToDelete(String name) {
        exchangesToDelete.add(name);
        return name;
    }

    /** Declares a plain (non-durable, non-exclusive, non-auto-delete) uniquely named queue, deleted after the test. */
    protected String declareQueue(Channel ch) throws IOException {
        String q = queueToDelete(unique("q"));
        ch.queueDeclare(q, false, false, false, null);
        return q;
    }

    /** Declares a uniquely named non-durable exchange of the given type, deleted after the test. */
    protected String declareExchange(Channel ch, String type) throws IOException {
        String x = exchangeToDelete(unique("x." + type));
        ch.exchangeDeclare(x, type, false, false, null);
        return x;
    }

    // ---------------------------------------------------------------- messages

    protected static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    protected static String text(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }

    protected static void publish(Channel ch, String exchange, String routingKey, String body) throws IOException {
        ch.basicPublish(exchange, routingKey, null, bytes(body));
    }

    /**
     * Publishes with publisher confirms and waits for them, so the messages are known to be enqueued (RabbitMQ
     * answers a passive queue.declare ahead of deliveries still in flight, so counts need this).
     */
    protected static void publishConfirmed(Channel ch, String exchange, String routingKey, String... bodies)
            throws Exception {
        if (ch.getNextPublishSeqNo() == 0) {
            ch.confirmSelect();
        }
        for (String body : bodies) {
            ch.basicPublish(exchange, routingKey, null, bytes(body));
        }
        ch.waitForConfirmsOrDie(WAIT.toMillis());
    }

    /** basic.get with auto-ack; returns the body as text or null when the queue is empty. */
    protected static String getText(Channel ch, String queue) throws IOException {
        GetResponse r = ch.basicGet(queue, true);
        return r == null ? null : text(r.getBody());
    }

    /** Ready-message count of a queue, through a passive declare on its own channel. */
    protected int messageCount(Connection c, String queue) throws IOException, TimeoutException {
        try (Channel ch = c.createChannel()) {
            return ch.queueDeclarePassive(queue).getMessageCount();
        }
    }

    /** Whether a queue exists, checked with a passive declare on a throw-away channel. */
    protected boolean queueExists(Connection c, String queue) throws Exception {
        return exists(c, ch -> ch.queueDeclarePassive(queue));
    }

    /** Whether an exchange exists, checked with a passive declare on a throw-away channel. */
    protected boolean exchangeExists(Connection c, String exchange) throws Exception {
        return exists(c, ch -> ch.exchangeDeclarePassive(exchange));
    }

    private static boolean exists(Connection c, ChannelOp passiveDeclare) throws Exception {
        Channel ch = c.createChannel();
        try {
            passiveDeclare.run(ch);
            ch.close();
            return true;
        } catch (IOException e) {
            ShutdownSignalException sse = shutdownCause(e);
            if (sse != null && !sse.isHardError() && replyCode(sse) == NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }

    @FunctionalInterface
    protected interface ChannelOp {
        void run(Channel ch) throws Exception;
    }

    @FunctionalInterface
    protected interface ThrowingRunnable {
        void run() throws Exception;
    }

    @FunctionalInterface
    protected interface Condition {
        boolean test() throws Exception;
    }

    /** Polls (every 20 ms, at most {@link #WAIT}) until the condition holds; fails otherwise. */
    protected static void eventually(String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            if (condition.test()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            Thread.sleep(20);
        }
    }

    // ---------------------------------------------------------------- errors

    /**
     * Runs an operation that must make the broker close the channel (or the whole connection) and returns the
     * close signal the client saw. Works for synchronous methods (which throw) and asynchronous ones like
     * basic.publish or basic.ack (where the close arrives later): the channel's shutdown listener is awaited
     * for at most {@link #WAIT}.
     */
    protected static ShutdownSignalException expectClose(Channel ch, ThrowingRunnable op) throws Exception {
        CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
        ch.addShutdownListener(closed::complete);
        Throwable thrown = null;
        try {
            op.run();
        } catch (IOException | ShutdownSignalException e) {
            thrown = e; // expected for synchronous methods; the signal also reaches the listener
        }
        try {
            return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            AssertionError error = new AssertionError("the broker did not close channel " + ch.getChannelNumber()
                    + " within " + WAIT);
            if (thrown != null) {
                error.initCause(thrown);
            }
            throw error;
        }
    }

    /** Expects a channel-level close (channel.close) with the given reply code; the connection stays open. */
    protected static ShutdownSignalException assertChannelError(Channel ch, int replyCode, ThrowingRunnable op)
            throws Exception {
        ShutdownSignalException sse = expectClose(ch, op);
        assertThat(sse.isHardError()).as("expected a channel error but got a connection error: %s", sse).isFalse();
        assertThat(sse.isInitiatedByApplication()).as("closed by the broker: %s", sse).isFalse();
        assertThat(sse.getReason()).isInstanceOf(AMQP.Channel.Close.class);
        assertThat(replyCode(sse)).as("reply code of %s", sse.getReason()).isEqualTo(replyCode);
        assertThat(ch.isOpen()).isFalse();
        assertThat(ch.getConnection().isOpen()).as("a channel error must leave the connection open").isTrue();
        return sse;
    }

    /** Expects a connection-level close (connection.close) with the given reply code. */
    protected static ShutdownSignalException assertConnectionError(Channel ch, int replyCode, ThrowingRunnable op)
            throws Exception {
        ShutdownSignalException sse = expectClose(ch, op);
        assertThat(sse.isHardError()).as("expected a connection error but got a channel error: %s", sse).isTrue();
        assertThat(sse.isInitiatedByApplication()).as("closed by the broker: %s", sse).isFalse();
        assertThat(sse.getReason()).isInstanceOf(AMQP.Connection.Close.class);
        assertThat(replyCode(sse)).as("reply code of %s", sse.getReason()).isEqualTo(replyCode);
        assertThat(ch.getConnection().isOpen()).isFalse();
        return sse;
    }

    /** Reply code of a channel.close or connection.close carried by a shutdown signal. */
    protected static int replyCode(ShutdownSignalException sse) {
        Object reason = sse.getReason();
        if (reason instanceof AMQP.Channel.Close close) {
            return close.getReplyCode();
        }
        if (reason instanceof AMQP.Connection.Close close) {
            return close.getReplyCode();
        }
        throw new AssertionError("not a close method: " + reason);
    }

    /** Reply text of a channel.close or connection.close carried by a shutdown signal. */
    protected static String replyText(ShutdownSignalException sse) {
        Object reason = sse.getReason();
        if (reason instanceof AMQP.Channel.Close close) {
            return close.getReplyText();
        }
        if (reason instanceof AMQP.Connection.Close close) {
            return close.getReplyText();
        }
        throw new AssertionError("not a close method: " + reason);
    }

    /** The ShutdownSignalException in an exception's cause chain, or null. */
    protected static ShutdownSignalException shutdownCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ShutdownSignalException sse) {
                return sse;
            }
        }
        return null;
    }
}
