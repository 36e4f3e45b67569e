package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import dev.ferrymq.server.FerryServer;
import dev.ferrymq.server.config.ServerConfig;
import dev.ferrymq.server.config.Settings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streams ({@code x-queue-type: stream}) over AMQP 0-9-1, as RabbitMQ serves them: declaration rules, consumers
 * choosing where to start with {@code x-stream-offset}, the offset header, what is refused, and (FerryMQ only)
 * retention by size through the management API. Runs against a real RabbitMQ with -Dferrymq.it.broker=host:port.
 */
class StreamTest extends AbstractBrokerIT {

    /** A delivery as a consumer saw it: its x-stream-offset header and body. */
    record Received(long offset, String body) {
    }

    private String declareStream(Channel ch, Map<String, Object> extra) throws Exception {
        String q = queueToDelete(unique("stream"));
        Map<String, Object> args = new HashMap<>(extra);
        args.put("x-queue-type", "stream");
        ch.queueDeclare(q, true, false, false, args);
        return q;
    }

    private String declareStream(Channel ch) throws Exception {
        return declareStream(ch, Map.of());
    }

    /** Starts a consumer (prefetch 10, manual acks) at {@code offset} (null: no argument); deliveries are acked. */
    private BlockingQueue<Received> consume(Channel ch, String q, Object offset) throws Exception {
        BlockingQueue<Received> received = new LinkedBlockingQueue<>();
        ch.basicQos(10);
        Map<String, Object> args = offset == null ? Map.of() : Map.of("x-stream-offset", offset);
        ch.basicConsume(q, false, args, (tag, d) -> {
            Object header = d.getProperties().getHeaders().get("x-stream-offset");
            received.add(new Received(((Number) header).longValue(), text(d.getBody())));
            ch.basicAck(d.getEnvelope().getDeliveryTag(), false);
        }, tag -> { });
        return received;
    }

    private static List<Received> take(BlockingQueue<Received> received, int n) throws Exception {
        List<Received> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Received r = received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(r).as("delivery %s of %s (got %s)", i + 1, n, out).isNotNull();
            out.add(r);
        }
        return out;
    }

    private static List<Received> expected(long firstOffset, String... bodies) {
        List<Received> out = new ArrayList<>();
        for (int i = 0; i < bodies.length; i++) {
            out.add(new Received(firstOffset + i, bodies[i]));
        }
        return out;
    }

    // ---------------------------------------------------------------- declaration

    @Test
    void aStreamMustBeDurableAndNeitherExclusiveNorAutoDelete() throws Exception {
        Connection c = connect();
        Map<String, Object> stream = Map.of("x-queue-type", "stream");
        String q1 = queueToDelete(unique("stream"));
        Channel ch1 = c.createChannel();
        ShutdownSignalException e = assertChannelError(ch1, PRECONDITION_FAILED,
                () -> ch1.queueDeclare(q1, false, false, false, stream));
        assertThat(replyText(e)).isEqualTo("PRECONDITION_FAILED - invalid property 'non-durable' for queue '" + q1
                + "' in vhost '/'");
        String q2 = queueToDelete(unique("stream"));
        Channel ch2 = c.createChannel();
        e = assertChannelError(ch2, PRECONDITION_FAILED, () -> ch2.queueDeclare(q2, true, true, false, stream));
        assertThat(replyText(e)).isEqualTo("PRECONDITION_FAILED - invalid property 'exclusive-owner' for queue '"
                + q2 + "' in vhost '/'");
        String q3 = queueToDelete(unique("stream"));
        Channel ch3 = c.createChannel();
        e = assertChannelError(ch3, PRECONDITION_FAILED, () -> ch3.queueDeclare(q3, true, false, true, stream));
        assertThat(replyText(e)).isEqualTo("PRECONDITION_FAILED - invalid property 'auto-delete' for queue '" + q3
                + "' in vhost '/'");
        // several at once: RabbitMQ names auto-delete, then exclusive-owner, then non-durable
        String q4 = queueToDelete(unique("stream"));
        Channel ch4 = c.createChannel();
        e = assertChannelError(ch4, PRECONDITION_FAILED, () -> ch4.queueDeclare(q4, false, true, true, stream));
        assertThat(replyText(e)).contains("'auto-delete'");
        String q5 = queueToDelete(unique("stream"));
        Channel ch5 = c.createChannel();
        e = assertChannelError(ch5, PRECONDITION_FAILED, () -> ch5.queueDeclare(q5, false, true, false, stream));
        assertThat(replyText(e)).contains("'exclusive-owner'");
        assertThat(queueExists(c, q1) || queueExists(c, q2) || queueExists(c, q3)).isFalse();
    }

    @Test
    void classicQueueArgumentsAndInvalidRetentionArgumentsAre406() throws Exception {
        Connection c = connect();
        for (Map<String, Object> args : List.<Map<String, Object>>of(Map.of("x-max-length", 10),
                Map.of("x-message-ttl", 1000), Map.of("x-dead-letter-exchange", "dlx"),
                Map.of("x-max-length-bytes", -1), Map.of("x-max-length-bytes", "big"),
                Map.of("x-stream-max-segment-size-bytes", -5), Map.of("x-max-age", "0D"),
                Map.of("x-max-age", 5))) {
            String key = args.keySet().iterator().next();
            Channel ch = c.createChannel();
            ShutdownSignalException e = assertChannelError(ch, PRECONDITION_FAILED, () -> declareStream(ch, args));
            assertThat(replyText(e)).as("%s", args).startsWith("PRECONDITION_FAILED - invalid arg '" + key
                    + "' for queue 'it.stream.");
        }
    }

    @Test
    void retentionArgumentsAreAccepted() throws Exception {
        Channel ch = openChannel();
        for (String age : List.of("7D", "1h", "30m", "5s", "1M", "10Y")) {
            declareStream(ch, Map.of("x-max-age", age, "x-max-length-bytes", 10_000_000,
                    "x-stream-max-segment-size-bytes", 1_000_000));
        }
    }

    @Test
    void declareOkReportsNoMessagesForAStreamAsRabbitMqDoes() throws Exception {
        Channel ch = openChannel();
        String q = declareStream(ch);
        publishConfirmed(ch, "", q, "a", "b", "c");
        assertThat(ch.queueDeclarePassive(q).getMessageCount()).isZero();
    }

    // ---------------------------------------------------------------- consuming

    @Test
    void consumersStartAtFirstAtAnOffsetAtLastOrAtNext() throws Exception {
        Channel publisher = openChannel();
        String q = declareStream(publisher);
        publishConfirmed(publisher, "", q, "m0", "m1", "m2", "m3", "m4");

        Connection c = connect();
        assertThat(take(consume(c.createChannel(), q, "first"), 5))
                .isEqualTo(expected(0, "m0", "m1", "m2", "m3", "m4"));
        assertThat(take(consume(c.createChannel(), q, 2), 3)).isEqualTo(expected(2, "m2", "m3", "m4"));
        assertThat(take(consume(c.createChannel(), q, 2L), 3)).isEqualTo(expected(2, "m2", "m3", "m4"));
        // RabbitMQ starts "last" at the first message of the last chunk (a batch written together), FerryMQ at
        // the last message: both end at m4 with nothing skipped.
        BlockingQueue<Received> last = consume(c.createChannel(), q, "last");
        Received lastStart = take(last, 1).get(0);
        List<Received> tail = new ArrayList<>(List.of(lastStart));
        tail.addAll(take(last, (int) (4 - lastStart.offset())));
        assertThat(tail).isEqualTo(expected(lastStart.offset(),
                List.of("m0", "m1", "m2", "m3", "m4").subList((int) lastStart.offset(), 5).toArray(new String[0])));
        if (!broker.isExternal()) {
            assertThat(lastStart).isEqualTo(new Received(4, "m4"));
        }
        BlockingQueue<Received> next = consume(c.createChannel(), q, "next");
        BlockingQueue<Received> byDefault = consume(c.createChannel(), q, null);
        assertThat(next.poll(300, TimeUnit.MILLISECONDS)).as("next: nothing published yet").isNull();
        assertThat(byDefault.poll(1, TimeUnit.MILLISECONDS)).as("default is next").isNull();

        publishConfirmed(publisher, "", q, "m5");
        assertThat(take(next, 1)).isEqualTo(expected(5, "m5"));
        assertThat(take(byDefault, 1)).isEqualTo(expected(5, "m5"));
        assertThat(take(last, 1)).isEqualTo(expected(5, "m5"));
    }

    @Test
    void twoConsumersEachReadEveryMessageAndAcksRemoveNothing() throws Exception {
        Channel publisher = openChannel();
        String q = declareStream(publisher);
        String[] bodies = new String[50];
        for (int i = 0; i < bodies.length; i++) {
            bodies[i] = "m" + i;
        }
        publishConfirmed(publisher, "", q, bodies);
        BlockingQueue<Received> a = consume(openChannel(), q, "first");
        BlockingQueue<Received> b = consume(openChannel(), q, "first");
        assertThat(take(a, 50)).isEqualTo(expected(0, bodies));
        assertThat(take(b, 50)).isEqualTo(expected(0, bodies));
        // everything was acked: a third consumer still reads it all
        assertThat(take(consume(openChannel(), q, "first"), 50)).isEqualTo(expected(0, bodies));
    }

    @Test
    void aTimestampOrAnIntervalStartsAtTheFirstMessageFromThen() throws Exception {
        Channel publisher = openChannel();
        String q = declareStream(publisher);
        publishConfirmed(publisher, "", q, "old0", "old1");
        Date beforeNew = new Date(System.currentTimeMillis() + 1000); // AMQP timestamps are whole seconds
        Thread.sleep(2100);
        publishConfirmed(publisher, "", q, "new2", "new3");

        Connection c = connect();
        assertThat(take(consume(c.createChannel(), q, beforeNew), 2)).isEqualTo(expected(2, "new2", "new3"));
        assertThat(take(consume(c.createChannel(), q, new Date(System.currentTimeMillis() - 3_600_000)), 4))
                .isEqualTo(expected(0, "old0", "old1", "new2", "new3"));
        assertThat(take(consume(c.createChannel(), q, "1h"), 4))
                .isEqualTo(expected(0, "old0", "old1", "new2", "new3"));
        BlockingQueue<Received> future = consume(c.createChannel(), q, new Date(System.currentTimeMillis()
                + 3_600_000));
        assertThat(future.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void anInvalidOffsetSpecIs406() throws Exception {
        Channel ch = openChannel();
        String q = declareStream(ch);
        ShutdownSignalException e = assertChannelError(ch, PRECONDITION_FAILED, () -> consume(ch, q, "1x"));
        assertThat(replyText(e)).startsWith("PRECONDITION_FAILED - invalid arg 'x-stream-offset' for queue '" + q
                + "' in vhost '/'");
    }

    @Test
    void consumingWithoutAPrefetchIs406() throws Exception {
        Channel ch = openChannel();
        String q = declareStream(ch);
        ShutdownSignalException e = assertChannelError(ch, PRECONDITION_FAILED,
                () -> ch.basicConsume(q, false, (tag, d) -> { }, tag -> { }));
        assertThat(replyText(e)).isEqualTo("PRECONDITION_FAILED - consumer prefetch count is not set for "
                + "'queue '" + q + "' in vhost '/''");
        assertThat(((AMQP.Channel.Close) e.getReason()).getMethodId()).isEqualTo(20); // basic.consume
    }

    @Test
    void aGlobalPrefetchIsNotAConsumerPrefetch() throws Exception {
        Channel ch = openChannel();
        String q = declareStream(ch);
        ch.basicQos(10, true);
        assertChannelError(ch, PRECONDITION_FAILED, () -> ch.basicConsume(q, false, (tag, d) -> { }, tag -> { }));
    }

    @Test
    void automaticAcknowledgementIsRefusedWith540() throws Exception {
        Channel ch = openChannel();
        String q = declareStream(ch);
        ch.basicQos(10);
        ShutdownSignalException e = assertConnectionError(ch, NOT_IMPLEMENTED,
                () -> ch.basicConsume(q, true, (tag, d) -> { }, tag -> { }));
        assertThat(replyText(e)).isEqualTo("NOT_IMPLEMENTED - automatic acknowledgement not supported by stream "
                + "queues queue '" + q + "' in vhost '/'");
    }

    @Test
    void basicGetIsRefusedWith540ClosingTheConnection() throws Exception {
        Channel ch = openChannel();
        String q = declareStream(ch);
        ShutdownSignalException e = assertConnectionError(ch, NOT_IMPLEMENTED, () -> ch.basicGet(q, false));
        assertThat(replyText(e)).isEqualTo("NOT_IMPLEMENTED - basic.get not supported by stream queues queue '" + q
                + "' in vhost '/'");
        assertThat(((AMQP.Connection.Close) e.getReason()).getClassId()).isEqualTo(60);
        assertThat(((AMQP.Connection.Close) e.getReason()).getMethodId()).isEqualTo(70);
    }

    @Test
    void purgeIsRefusedWith540() throws Exception {
        Channel ch = openChannel();
        String q = declareStream(ch);
        ShutdownSignalException e = assertConnectionError(ch, NOT_IMPLEMENTED, () -> ch.queuePurge(q));
        assertThat(replyText(e)).isEqualTo("NOT_IMPLEMENTED - queue.purge not supported by stream queues queue '"
                + q + "' in vhost '/'");
    }

    // ---------------------------------------------------------------- restart (FerryMQ in-process)

    @Test
    void aRestartKeepsEveryMessageAtItsOffsetAndNewOnesContinueAfterThem(@TempDir Path dataDir) throws Exception {
        assumeFalse(broker.isExternal(), "restarts an in-process broker");
        ServerConfig config = ServerConfig.defaults().with(Settings.AMQP_PORT, 0).with(Settings.MANAGEMENT_PORT, 0)
                .with(Settings.BIND, "127.0.0.1").with(Settings.DATA_DIR, dataDir);
        String q = "it.stream.restart";
        String[] bodies = new String[300];
        for (int i = 0; i < bodies.length; i++) {
            bodies[i] = "m" + i;
        }
        FerryServer first = FerryServer.start(config);
        try (Connection c = connectTo(first)) {
            Channel ch = c.createChannel();
            ch.queueDeclare(q, true, false, false,
                    Map.of("x-queue-type", "stream", "x-stream-max-segment-size-bytes", 2048));
            publishConfirmed(ch, "", q, bodies);
        } finally {
            first.close();
        }
        FerryServer second = FerryServer.start(config);
        try (Connection c = connectTo(second)) {
            assertThat(take(consume(c.createChannel(), q, "first"), 300)).isEqualTo(expected(0, bodies));
            assertThat(take(consume(c.createChannel(), q, 150), 150))
                    .isEqualTo(expected(150, java.util.Arrays.copyOfRange(bodies, 150, 300)));
            BlockingQueue<Received> next = consume(c.createChannel(), q, "next");
            publishConfirmed(c.createChannel(), "", q, "after");
            assertThat(take(next, 1)).isEqualTo(expected(300, "after"));
        } finally {
            second.close();
        }
    }

    private Connection connectTo(FerryServer server) throws Exception {
        var factory = factory();
        factory.setPort(server.amqpPort());
        return factory.newConnection("it-stream-restart");
    }

    // ---------------------------------------------------------------- retention (FerryMQ: reads its API)

    @Test
    void retentionBySizeDeletesWholeSegmentsFromTheHead() throws Exception {
        assumeFalse(broker.isExternal(), "reads FerryMQ's segment counts from the management API");
        Channel ch = openChannel();
        String q = declareStream(ch, Map.of("x-stream-max-segment-size-bytes", 4096, "x-max-length-bytes", 20_000));
        String body = "x".repeat(500);
        String[] bodies = new String[200];
        java.util.Arrays.fill(bodies, body);
        publishConfirmed(ch, "", q, bodies); // about 110 KB: some 27 segments written, most deleted
        // The stream's readable end moves on its own group-commit callback, which may run just after the
        // publisher's confirm went out: give the listing a moment to show the last offset.
        JsonNode details = queueJson(q);
        for (int i = 0; i < 50 && details.path("last_offset").asLong() != 199; i++) {
            Thread.sleep(20);
            details = queueJson(q);
        }
        assertThat(details.path("type").asText()).isEqualTo("stream");
        assertThat(details.path("message_bytes").asLong()).isLessThanOrEqualTo(20_000 + 4096);
        assertThat(details.path("segments").asInt()).isLessThanOrEqualTo(6);
        long first = details.path("first_offset").asLong();
        assertThat(first).isGreaterThan(100);
        assertThat(details.path("last_offset").asLong()).isEqualTo(199);
        assertThat(details.path("messages").asLong()).isEqualTo(200 - first);
        // a consumer from "first" starts at the oldest offset left; a numeric offset before it does too
        assertThat(take(consume(openChannel(), q, "first"), 1).get(0).offset()).isEqualTo(first);
        assertThat(take(consume(openChannel(), q, 0), 1).get(0).offset()).isEqualTo(first);
    }

    private JsonNode queueJson(String q) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + broker.server().managementPort() + "/api/queues/%2F/" + q))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "guest:guest".getBytes(StandardCharsets.UTF_8))).build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request,
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return new ObjectMapper().readTree(response.body());
    }
}
