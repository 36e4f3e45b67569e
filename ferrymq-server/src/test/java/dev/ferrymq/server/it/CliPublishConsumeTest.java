package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.ferrymq.server.cli.Main;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/** {@code ferrymq publish} and {@code consume} speak AMQP to the broker named by {@code --uri}, like amqp-tools. */
class CliPublishConsumeTest extends AbstractBrokerIT {

    /** The broker under test's AMQP port is a random one, never 5672: every test here uses a non-default port. */
    private String uri() {
        return "amqp://guest:guest@127.0.0.1:" + broker.port();
    }

    private CliRunner.Run ferrymq(String stdin, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        if (!all.contains("--uri")) {
            all.addAll(List.of("--uri", uri()));
        }
        return CliRunner.run(stdin, all.toArray(String[]::new));
    }

    @Test
    void publishedLinesWithConfirmsAreConsumedInOrderAndAcked() throws Exception {
        Connection c = connect();
        String q = declareQueue(c.createChannel());
        CliRunner.Run published = ferrymq("m1\nm2\nm3\nm4\nm5\n", "publish", "--routing-key", q, "--confirm");
        assertThat(published.exitCode()).as(published.err()).isZero();
        assertThat(messageCount(c, q)).isEqualTo(5);

        CliRunner.Run consumed = ferrymq("", "consume", q, "--count", "5", "--ack");
        assertThat(consumed.exitCode()).as(consumed.err()).isZero();
        assertThat(consumed.out()).isEqualTo("m1\nm2\nm3\nm4\nm5\n");
        assertThat(messageCount(c, q)).isZero();
    }

    @Test
    void consumeCountWithAckAcksExactlyThoseMessages() throws Exception {
        Connection c = connect();
        Channel ch = c.createChannel();
        String q = declareQueue(ch);
        publishConfirmed(ch, "", q, "a", "b", "c", "d", "e");
        CliRunner.Run consumed = ferrymq("", "consume", q, "--count", "2", "--ack", "--prefetch", "100");
        assertThat(consumed.out()).isEqualTo("a\nb\n");
        assertThat(messageCount(c, q)).isEqualTo(3);
        GetResponse next = ch.basicGet(q, true);
        assertThat(text(next.getBody())).isEqualTo("c");
        assertThat(next.getEnvelope().isRedeliver()).as("c was never delivered to the CLI").isFalse();
    }

    @Test
    void countAbovePrefetchNeitherStallsNorOverDelivers() throws Exception {
        Connection c = connect();
        Channel ch = c.createChannel();
        String q = declareQueue(ch);
        publishConfirmed(ch, "", q, "1", "2", "3", "4", "5", "6");
        assertThat(ferrymq("", "consume", q, "--count", "3", "--prefetch", "1").out()).isEqualTo("1\n2\n3\n");
        assertThat(ferrymq("", "consume", q, "--count", "4", "--prefetch", "2", "--ack").out())
                .isEqualTo("1\n2\n3\n4\n");
        assertThat(messageCount(c, q)).isEqualTo(2);
        GetResponse next = ch.basicGet(q, true);
        assertThat(text(next.getBody())).isEqualTo("5");
        assertThat(next.getEnvelope().isRedeliver()).as("5 was never delivered to the CLI").isFalse();
    }

    @Test
    void consumeWithoutAckLeavesMessagesInTheQueueRequeued() throws Exception {
        Connection c = connect();
        Channel ch = c.createChannel();
        String q = declareQueue(ch);
        publishConfirmed(ch, "", q, "x1", "x2", "x3");
        CliRunner.Run consumed = ferrymq("", "consume", q, "--count", "2");
        assertThat(consumed.exitCode()).as(consumed.err()).isZero();
        assertThat(consumed.out()).isEqualTo("x1\nx2\n");
        eventually("all three back in the queue", () -> messageCount(c, q) == 3);
        GetResponse first = ch.basicGet(q, true);
        assertThat(text(first.getBody())).isEqualTo("x1");
        assertThat(first.getEnvelope().isRedeliver()).isTrue();
    }

    @Test
    void uriNamesTheVhostUrlEncoded() throws Exception {
        String vhost = unique("vh/cli");
        admin("PUT", "/api/vhosts/" + enc(vhost), null);
        admin("PUT", "/api/permissions/" + enc(vhost) + "/guest",
                "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
        try {
            ConnectionFactory factory = factory();
            factory.setVirtualHost(vhost);
            try (Connection c = factory.newConnection()) {
                c.createChannel().queueDeclare("cli-q", false, false, false, null);
                String vhostUri = uri() + "/" + enc(vhost);
                assertThat(ferrymq("in vhost\n", "publish", "--uri", vhostUri, "--routing-key", "cli-q",
                        "--confirm").exitCode()).isZero();
                assertThat(messageCount(c, "cli-q")).isEqualTo(1);
                assertThat(ferrymq("", "consume", "cli-q", "--count", "1", "--ack", "--uri", vhostUri).out())
                        .isEqualTo("in vhost\n");
            }
            // "/" is %2F, as in RabbitMQ's URI spec; no path means "/" too
            Channel ch = openChannel();
            String q = declareQueue(ch);
            assertThat(ferrymq("", "publish", "--uri", uri() + "/%2F", "--routing-key", q, "one").exitCode())
                    .isZero();
            assertThat(ferrymq("", "publish", "--uri", uri(), "--routing-key", q, "two").exitCode()).isZero();
            assertThat(ferrymq("", "consume", q, "--count", "2", "--ack", "--uri", uri() + "/%2F").out())
                    .isEqualTo("one\ntwo\n");
        } finally {
            admin("DELETE", "/api/vhosts/" + enc(vhost), null);
        }
    }

    @Test
    void persistentSetsDeliveryMode2() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        assertThat(ferrymq("", "publish", "--routing-key", q, "--persistent", "kept").exitCode()).isZero();
        assertThat(ferrymq("", "publish", "--routing-key", q, "transient").exitCode()).isZero();
        assertThat(ch.basicGet(q, true).getProps().getDeliveryMode()).isEqualTo(2);
        assertThat(ch.basicGet(q, true).getProps().getDeliveryMode()).isEqualTo(1);
    }

    @Test
    void unroutableMessagesAreReturnedAndMakeTheExitCodeNonZero() throws Exception {
        String nowhere = unique("no-such-queue");
        CliRunner.Run plain = ferrymq("a\nb\n", "publish", "--routing-key", nowhere);
        assertThat(plain.exitCode()).isEqualTo(1);
        assertThat(plain.err()).contains("2 of 2 messages not delivered: 2 returned unroutable (312 NO_ROUTE");
        CliRunner.Run confirmed = ferrymq("", "publish", "--routing-key", nowhere, "--confirm", "lost");
        assertThat(confirmed.exitCode()).isEqualTo(1);
        assertThat(confirmed.err()).contains("1 of 1 messages not delivered: 1 returned");
        assertThat(ferrymq("c\n", "publish", "--routing-key", nowhere, "--no-mandatory").exitCode()).isZero();
    }

    @Test
    void publishToMissingExchangeExitsWithThe404Reason() {
        String x = unique("no-such-exchange");
        CliRunner.Run run = ferrymq("m\n", "publish", "--exchange", x, "--routing-key", "k");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("ferrymq: 404 NOT_FOUND - no exchange '" + x + "' in vhost '/'\n");
    }

    @Test
    void consumeOnMissingQueueExitsWithThe404Reason() {
        String q = unique("no-such-queue");
        CliRunner.Run run = ferrymq("", "consume", q, "--count", "1");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("ferrymq: 404 NOT_FOUND - no queue '" + q + "' in vhost '/'\n");
    }

    @Test
    void connectionRefusedAndBadCredentialsAreOneLineErrors() {
        CliRunner.Run refused = ferrymq("", "consume", "q", "--uri", "amqp://guest:guest@127.0.0.1:1");
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).startsWith("ferrymq: cannot connect to 127.0.0.1:1 (is the broker running?")
                .hasLineCount(1);
        CliRunner.Run badLogin = ferrymq("", "publish", "x", "--uri",
                "amqp://guest:wrong@127.0.0.1:" + broker.port());
        assertThat(badLogin.exitCode()).isEqualTo(1);
        assertThat(badLogin.err()).startsWith("ferrymq: 403 ACCESS_REFUSED").hasLineCount(1);
    }

    /**
     * Ctrl-C (SIGINT) or SIGTERM on a real {@code ferrymq consume} JVM: it closes its connection with
     * connection.close (seen by the broker as a client close, not a dropped socket) and exits; the messages it
     * printed without --ack are back in the queue.
     */
    @ParameterizedTest(name = "SIG{0}")
    @Timeout(value = 90, unit = TimeUnit.SECONDS) // starts a JVM: slow on a loaded machine
    @ValueSource(strings = {"INT", "TERM"})
    void signalClosesConsumeCleanlyAndUnackedMessagesAreRequeued(String signal) throws Exception {
        Connection c = connect();
        Channel ch = c.createChannel();
        String q = declareQueue(ch);
        publishConfirmed(ch, "", q, "s1", "s2", "s3");
        ListAppender<ILoggingEvent> closes = watchClientCloses();
        // env --default-signal: a JVM started with SIGINT ignored (as background jobs of a shell are) never sees it
        Process consume = new ProcessBuilder("env", "--default-signal=INT,TERM",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "consume", q, "--uri", uri())
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(consume.getInputStream(),
                    StandardCharsets.UTF_8));
            assertThat(List.of(out.readLine(), out.readLine(), out.readLine())).containsExactly("s1", "s2", "s3");
            assertThat(messageCount(c, q)).as("all delivered, unacked").isZero();

            new ProcessBuilder("kill", "-" + signal, String.valueOf(consume.pid())).start().waitFor();
            assertThat(consume.waitFor(30, TimeUnit.SECONDS)).as("exited").isTrue();
            assertThat(consume.exitValue()).isEqualTo(128 + (signal.equals("INT") ? 2 : 15));
            assertThat(new String(consume.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)).isEmpty();
            eventually("the broker saw connection.close", () -> closes.list.stream()
                    .anyMatch(e -> e.getFormattedMessage().startsWith("client closed connection")));
            eventually("the three messages are back", () -> messageCount(c, q) == 3);
            assertThat(ch.basicGet(q, true).getEnvelope().isRedeliver()).isTrue();
        } finally {
            consume.destroyForcibly();
            stopWatching(closes);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Records AmqpConnection's debug line for a connection.close from a client (in-process broker only). */
    private static ListAppender<ILoggingEvent> watchClientCloses() {
        Logger logger = (Logger) LoggerFactory.getLogger("dev.ferrymq.server.amqp.AmqpConnection");
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        logger.setLevel(Level.DEBUG);
        return appender;
    }

    private static void stopWatching(ListAppender<ILoggingEvent> appender) {
        Logger logger = (Logger) LoggerFactory.getLogger("dev.ferrymq.server.amqp.AmqpConnection");
        logger.detachAppender(appender);
        logger.setLevel(null);
    }

    private void admin(String method, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + broker.server().managementPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("content-type", "application/json")
                .header("authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "guest:guest".getBytes(StandardCharsets.UTF_8)))
                .build();
        int status = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
        assertThat(status).as(method + " " + path).isLessThan(300);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
