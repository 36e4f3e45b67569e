package dev.ferrymq.server.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the crash-recovery tests: one {@link BrokerProcess} per test on a fresh temporary data directory (the
 * broker's output is printed when the test fails), connection tracking, and helpers for numbered messages whose
 * bodies can be checked byte for byte.
 *
 * <p>Message bodies: the first 8 bytes are the sequence number (big-endian), the rest a pattern derived from the
 * sequence number and the byte's index, so a body that is damaged or belongs to another message is detected.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class AbstractCrashTest {

    static final int INTERNAL_ERROR = 541;
    static final int NOT_FOUND = 404;
    static final int PRECONDITION_FAILED = 406;
    static final long SEGMENT_SIZE = 64L * 1024 * 1024;
    static final Duration WAIT = Duration.ofSeconds(20);

    /** Removed after each test, failed or not (up to 200 MiB of segments); the broker log is printed on failure. */
    @TempDir(cleanup = CleanupMode.ALWAYS)
    Path tmp;

    BrokerProcess broker;

    private final List<Connection> connections = new CopyOnWriteArrayList<>();

    @RegisterExtension
    final AfterTestExecutionCallback printBrokerLogOnFailure = context -> {
        if (context.getExecutionException().isPresent() && broker != null) {
            System.out.println("==== broker output for failed test " + context.getDisplayName() + " ("
                    + broker.logFile() + ")");
            System.out.println(broker.log());
            System.out.println("==== end of broker output");
        }
    };

    @BeforeEach
    void createBroker() {
        broker = BrokerProcess.on(tmp.resolve("data"));
    }

    @AfterEach
    void cleanUp() {
        for (Connection c : connections) {
            c.abort(500);
        }
        connections.clear();
        if (broker != null) {
            broker.close();
        }
    }

    // ---------------------------------------------------------------- connections

    Connection connect() throws Exception {
        Connection c = broker.connectionFactory().newConnection("crash-" + getClass().getSimpleName());
        connections.add(c);
        return c;
    }

    /** Kills the broker with SIGKILL; the client side of every open connection is then aborted. */
    void kill9() throws InterruptedException {
        broker.kill9();
        abortConnections();
    }

    /** Stops the broker with SIGTERM (graceful) and forgets the connections it closed. */
    void stopGracefully() throws InterruptedException {
        broker.stop();
        abortConnections();
    }

    private void abortConnections() {
        for (Connection c : connections) {
            c.abort(500);
        }
        connections.clear();
    }

    // ---------------------------------------------------------------- messages

    static final AMQP.BasicProperties PERSISTENT = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
    static final AMQP.BasicProperties TRANSIENT = new AMQP.BasicProperties.Builder().deliveryMode(1).build();

    static byte[] body(long seq, int size) {
        if (size < 8) {
            throw new IllegalArgumentException("bodies carry an 8-byte sequence number");
        }
        byte[] b = new byte[size];
        ByteBuffer.wrap(b).putLong(seq);
        for (int i = 8; i < size; i++) {
            b[i] = pattern(seq, i);
        }
        return b;
    }

    private static byte pattern(long seq, int i) {
        return (byte) (seq * 31 + i * 7 + (i >>> 8));
    }

    static long seqOf(byte[] body) {
        return ByteBuffer.wrap(body).getLong();
    }

    /** Whether {@code body} is exactly {@code body(seqOf(body), expectedSize)}. */
    static boolean intact(byte[] body, int expectedSize) {
        if (body.length != expectedSize) {
            return false;
        }
        long seq = seqOf(body);
        for (int i = 8; i < body.length; i++) {
            if (body[i] != pattern(seq, i)) {
                return false;
            }
        }
        return true;
    }

    /** Publishes {@code body(seq, size)} for every seq in [from, to] with confirms, waiting every {@code batch}. */
    static void publishConfirmed(Channel ch, String exchange, String routingKey, long from, long to, int size,
                                 AMQP.BasicProperties props, int batch) throws Exception {
        if (ch.getNextPublishSeqNo() == 0) {
            ch.confirmSelect();
        }
        int inBatch = 0;
        for (long seq = from; seq <= to; seq++) {
            ch.basicPublish(exchange, routingKey, props, body(seq, size));
            if (++inBatch == batch) {
                ch.waitForConfirmsOrDie(WAIT.toMillis());
                inBatch = 0;
            }
        }
        ch.waitForConfirmsOrDie(WAIT.toMillis());
    }

    /** A delivery as seen by the test: body checked on arrival, not kept. */
    record Received(long seq, boolean redelivered, boolean intact, long deliveryTag) {
    }

    /**
     * Consumes exactly {@code expected} messages from {@code queue} on a new channel (manual acks, each acked
     * on arrival when {@code ack}), checks that nothing more arrives for a moment, cancels and closes the channel.
     */
    List<Received> drain(Connection c, String queue, int expected, int bodySize, boolean ack) throws Exception {
        Channel ch = c.createChannel();
        ch.basicQos(ack ? 500 : 0);
        BlockingQueue<Received> arrived = new LinkedBlockingQueue<>();
        String tag = ch.basicConsume(queue, false, new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
                                       byte[] body) throws IOException {
                arrived.add(new Received(seqOf(body), envelope.isRedeliver(), intact(body, bodySize),
                        envelope.getDeliveryTag()));
                if (ack) {
                    getChannel().basicAck(envelope.getDeliveryTag(), false);
                }
            }
        });
        List<Received> received = new ArrayList<>(expected);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (received.size() < expected) {
            Received r = arrived.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (r == null) {
                throw new AssertionError("only " + received.size() + " of " + expected + " messages arrived from "
                        + queue + " within " + WAIT);
            }
            received.add(r);
        }
        Received extra = arrived.poll(200, TimeUnit.MILLISECONDS);
        assertThat(extra).as("a message beyond the expected %d arrived from %s", expected, queue).isNull();
        ch.basicCancel(tag);
        ch.close();
        return received;
    }

    static List<Long> seqs(List<Received> received) {
        return received.stream().map(Received::seq).toList();
    }

    static List<Long> range(long from, long to) {
        List<Long> list = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            list.add(i);
        }
        return list;
    }

    /** Ready messages of a queue, by a passive declare on a throw-away channel. */
    static int messageCount(Connection c, String queue) throws Exception {
        Channel ch = c.createChannel();
        try {
            return ch.queueDeclarePassive(queue).getMessageCount();
        } finally {
            if (ch.isOpen()) {
                ch.close();
            }
        }
    }

    @FunctionalInterface
    interface ChannelOp {
        void run(Channel ch) throws Exception;
    }

    /** Runs {@code op} on a throw-away channel and returns the channel-close it must cause. */
    static ShutdownSignalException channelError(Connection c, ChannelOp op) throws Exception {
        Channel ch = c.createChannel();
        try {
            op.run(ch);
        } catch (IOException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof ShutdownSignalException sse) {
                    assertThat(sse.isHardError()).as("expected a channel error, got %s", sse).isFalse();
                    assertThat(c.isOpen()).isTrue();
                    return sse;
                }
            }
            throw e;
        }
        if (ch.isOpen()) {
            ch.close();
        }
        throw new AssertionError("expected a channel error");
    }

    static int replyCode(ShutdownSignalException sse) {
        Object reason = sse.getReason();
        if (reason instanceof AMQP.Channel.Close close) {
            return close.getReplyCode();
        }
        if (reason instanceof AMQP.Connection.Close close) {
            return close.getReplyCode();
        }
        throw new AssertionError("not a close method: " + reason, sse);
    }

    static String replyText(ShutdownSignalException sse) {
        Object reason = sse.getReason();
        if (reason instanceof AMQP.Channel.Close close) {
            return close.getReplyText();
        }
        if (reason instanceof AMQP.Connection.Close close) {
            return close.getReplyText();
        }
        throw new AssertionError("not a close method: " + reason, sse);
    }

    static void assertNotFound(Connection c, ChannelOp passiveDeclare, String what) throws Exception {
        ShutdownSignalException sse = channelError(c, passiveDeclare);
        assertThat(replyCode(sse)).as("passive declare of %s: %s", what, replyText(sse)).isEqualTo(NOT_FOUND);
    }

    // ---------------------------------------------------------------- files

    /** The *.seg files of a message log directory, in id order. */
    static List<Path> segmentFiles(Path messagesDir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(messagesDir, "*.seg")) {
            ds.forEach(files::add);
        }
        files.sort(null);
        return files;
    }

    /** Total size of the regular files in {@code dir}; files deleted while listing count as 0. */
    static long sizeOf(Path dir) throws IOException {
        long total = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                try {
                    total += Files.size(p);
                } catch (NoSuchFileException gone) {
                    // deleted by the broker while we looked
                }
            }
        }
        return total;
    }
}
