package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Command;
import com.rabbitmq.client.ConnectionFactory;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Deleting, unbinding and cancelling what is already gone, as RabbitMQ answers it: unbind, queue.delete,
 * exchange.delete and basic.cancel succeed (client libraries tear down this way, e.g. aio-pika unbinds its
 * auto-deleted RPC reply queue), the default and {@code amq.*} exchanges are refused with 403, and permissions
 * are checked before existence. Each case runs on a fresh channel with a queue {@code q} and exchanges {@code x}
 * (direct) and {@code y} (fanout); names starting "missing" do not exist. Passes against RabbitMQ 3.10 too
 * ({@code -Dferrymq.it.broker=host:port}; its management API is then expected on port + 10000).
 */
class RemovingWhatIsGoneTest extends AbstractBrokerIT {
    private static final int OK = 200;
    private static final String USER = "it.no-config-no-write";
    private static final String PASSWORD = "pw";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** What a case works on: names of existing and missing entities, and a second connection's channel. */
    record Names(String q, String x, String y, String missingQ, String missingX, Channel other) {
    }

    @FunctionalInterface
    interface Case {
        void run(Channel ch, Names n) throws Exception;
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                row("queue.unbind of a binding that never existed", OK,
                        (ch, n) -> ch.queueUnbind(n.q, n.x, "never-bound")),
                row("queue.unbind twice", OK, (ch, n) -> {
                    ch.queueBind(n.q, n.x, "k");
                    ch.queueUnbind(n.q, n.x, "k");
                    ch.queueUnbind(n.q, n.x, "k");
                }),
                row("queue.unbind from a missing exchange", OK, (ch, n) -> ch.queueUnbind(n.q, n.missingX, "k")),
                row("queue.unbind of a missing queue", OK, (ch, n) -> ch.queueUnbind(n.missingQ, n.x, "k")),
                row("queue.unbind of a missing queue from a missing exchange", OK,
                        (ch, n) -> ch.queueUnbind(n.missingQ, n.missingX, "k")),
                row("queue.unbind after the queue was deleted", OK, (ch, n) -> {
                    ch.queueBind(n.q, n.x, "k");
                    ch.queueDelete(n.q);
                    ch.queueUnbind(n.q, n.x, "k");
                }),
                row("queue.unbind after the exchange was deleted", OK, (ch, n) -> {
                    ch.queueBind(n.q, n.x, "k");
                    ch.exchangeDelete(n.x);
                    ch.queueUnbind(n.q, n.x, "k");
                }),
                row("queue.unbind with other arguments leaves the binding", OK, (ch, n) -> {
                    ch.queueBind(n.q, n.x, "k", Map.of("a", 1));
                    ch.queueUnbind(n.q, n.x, "k", Map.of("a", 2));
                    ch.queueUnbind(n.q, n.x, "k");
                    ch.confirmSelect();
                    ch.basicPublish(n.x, "k", null, bytes("still bound"));
                    ch.waitForConfirmsOrDie(WAIT.toMillis());
                    assertThat(getText(ch, n.q)).isEqualTo("still bound");
                }),
                row("queue.unbind from the default exchange", ACCESS_REFUSED,
                        (ch, n) -> ch.queueUnbind(n.q, "", n.q)),
                row("queue.unbind of a missing queue from the default exchange", ACCESS_REFUSED,
                        (ch, n) -> ch.queueUnbind(n.missingQ, "", "k")),
                row("queue.unbind of a missing binding of another connection's exclusive queue", OK, (ch, n) -> {
                    String exclusive = n.other.queueDeclare().getQueue();
                    ch.queueUnbind(exclusive, n.x, "k");
                }),
                row("queue.unbind of a binding of another connection's exclusive queue", RESOURCE_LOCKED,
                        (ch, n) -> {
                            String exclusive = n.other.queueDeclare().getQueue();
                            n.other.queueBind(exclusive, n.x, "k");
                            ch.queueUnbind(exclusive, n.x, "k");
                        }),
                row("exchange.unbind of a binding that never existed", OK,
                        (ch, n) -> ch.exchangeUnbind(n.y, n.x, "k")),
                row("exchange.unbind twice", OK, (ch, n) -> {
                    ch.exchangeBind(n.y, n.x, "k");
                    ch.exchangeUnbind(n.y, n.x, "k");
                    ch.exchangeUnbind(n.y, n.x, "k");
                }),
                row("exchange.unbind from a missing source", OK, (ch, n) -> ch.exchangeUnbind(n.y, n.missingX, "k")),
                row("exchange.unbind of a missing destination", OK,
                        (ch, n) -> ch.exchangeUnbind(n.missingX, n.x, "k")),
                row("exchange.unbind from the default exchange", ACCESS_REFUSED,
                        (ch, n) -> ch.exchangeUnbind(n.y, "", "k")),
                row("exchange.unbind of the default exchange", ACCESS_REFUSED,
                        (ch, n) -> ch.exchangeUnbind("", n.x, "k")),
                row("queue.delete of a missing queue", OK,
                        (ch, n) -> assertThat(ch.queueDelete(n.missingQ).getMessageCount()).isZero()),
                row("queue.delete if-unused if-empty of a missing queue", OK,
                        (ch, n) -> assertThat(ch.queueDelete(n.missingQ, true, true).getMessageCount()).isZero()),
                row("queue.delete twice", OK, (ch, n) -> {
                    ch.queueDelete(n.q);
                    ch.queueDelete(n.q);
                }),
                row("exchange.delete of a missing exchange", OK, (ch, n) -> ch.exchangeDelete(n.missingX)),
                row("exchange.delete if-unused of a missing exchange", OK,
                        (ch, n) -> ch.exchangeDelete(n.missingX, true)),
                row("exchange.delete twice", OK, (ch, n) -> {
                    ch.exchangeDelete(n.x);
                    ch.exchangeDelete(n.x);
                }),
                row("exchange.delete of the default exchange", ACCESS_REFUSED, (ch, n) -> ch.exchangeDelete("")),
                row("exchange.delete of a missing amq.* exchange", ACCESS_REFUSED,
                        (ch, n) -> ch.exchangeDelete("amq." + n.missingX)),
                row("basic.cancel of an unknown consumer tag", OK, (ch, n) -> {
                    // The Java client does not send a cancel for a tag it does not know: send it raw.
                    Command reply = ch.rpc(new AMQP.Basic.Cancel.Builder().consumerTag("never-used").build());
                    assertThat(reply.getMethod()).isInstanceOf(AMQP.Basic.CancelOk.class);
                }),
                row("basic.cancel twice", OK, (ch, n) -> {
                    String tag = ch.basicConsume(n.q, true, (t, d) -> { }, t -> { });
                    ch.basicCancel(tag);
                    ch.rpc(new AMQP.Basic.Cancel.Builder().consumerTag(tag).build());
                }),
                // Not idempotent in RabbitMQ either: these need the entity.
                row("queue.purge of a missing queue", NOT_FOUND, (ch, n) -> ch.queuePurge(n.missingQ)),
                row("queue.bind to a missing exchange", NOT_FOUND, (ch, n) -> ch.queueBind(n.q, n.missingX, "k")),
                row("queue.bind of a missing queue", NOT_FOUND, (ch, n) -> ch.queueBind(n.missingQ, n.x, "k")));
    }

    private static Arguments row(String name, int expected, Case body) {
        return Arguments.of(name, expected, body);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("cases")
    void answersAsRabbitMq(String name, int expected, Case body) throws Exception {
        Channel ch = openChannel();
        Names names = new Names(declareQueue(ch), declareExchange(ch, "direct"), declareExchange(ch, "fanout"),
                unique("missing-q"), unique("missing-x"), connect().createChannel());
        if (expected == OK) {
            body.run(ch, names);
            assertThat(ch.isOpen()).isTrue();
        } else {
            assertChannelError(ch, expected, () -> body.run(ch, names));
        }
    }

    @Test
    void deletingTheDefaultOrASystemExchangeNamesTheReason() throws Exception {
        Channel ch = openChannel();
        assertThat(replyText(assertChannelError(ch, ACCESS_REFUSED, () -> ch.queueUnbind("q", "", "q"))))
                .isEqualTo("ACCESS_REFUSED - operation not permitted on the default exchange");
        Channel ch2 = openChannel();
        assertThat(replyText(assertChannelError(ch2, ACCESS_REFUSED, () -> ch2.exchangeDelete("amq.direct"))))
                .isEqualTo("ACCESS_REFUSED - deletion of system exchange 'amq.direct' in vhost '/' not allowed");
    }

    @Test
    void deletingANonEmptyQueueIfEmptySaysNotEmpty() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        publishConfirmed(ch, "", q, "m");
        assertThat(replyText(assertChannelError(ch, PRECONDITION_FAILED, () -> ch.queueDelete(q, false, true))))
                .isEqualTo("PRECONDITION_FAILED - queue '" + q + "' in vhost '/' not empty");
    }

    // ---------------------------------------------------------------- permissions before existence

    @BeforeAll
    void createUserWithoutConfigureOrWritePermission() throws Exception {
        assertThat(manage("PUT", "/api/users/" + USER, "{\"password\":\"" + PASSWORD + "\",\"tags\":\"\"}"))
                .isBetween(200, 204);
        assertThat(manage("PUT", "/api/permissions/%2F/" + USER,
                "{\"configure\":\"^$\",\"write\":\"^$\",\"read\":\".*\"}")).isBetween(200, 204);
    }

    @AfterAll
    void deleteUser() throws Exception {
        if (broker != null) {
            manage("DELETE", "/api/users/" + USER, null);
        }
    }

    @Test
    void permissionsAreCheckedBeforeExistence() throws Exception {
        ConnectionFactory factory = factory();
        factory.setUsername(USER);
        factory.setPassword(PASSWORD);
        var connection = track(factory.newConnection());
        String missingQ = unique("missing-q");
        String missingX = unique("missing-x");
        Channel unbind = connection.createChannel();
        assertChannelError(unbind, ACCESS_REFUSED, () -> unbind.queueUnbind(missingQ, "amq.direct", "k"));
        Channel unbindExchanges = connection.createChannel();
        assertChannelError(unbindExchanges, ACCESS_REFUSED,
                () -> unbindExchanges.exchangeUnbind(missingX, "amq.direct", "k"));
        Channel deleteQueue = connection.createChannel();
        assertChannelError(deleteQueue, ACCESS_REFUSED, () -> deleteQueue.queueDelete(missingQ));
        Channel deleteExchange = connection.createChannel();
        assertChannelError(deleteExchange, ACCESS_REFUSED, () -> deleteExchange.exchangeDelete(missingX));
    }

    // ---------------------------------------------------------------- the HTTP API stays RabbitMQ's: 404

    @Test
    void managementApiAnswers404ForMissingEntities() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        String x = declareExchange(ch, "direct");
        assertThat(manage("DELETE", "/api/queues/%2F/" + enc(unique("missing-q")), null)).isEqualTo(404);
        assertThat(manage("DELETE", "/api/exchanges/%2F/" + enc(unique("missing-x")), null)).isEqualTo(404);
        assertThat(manage("DELETE", "/api/bindings/%2F/e/" + enc(x) + "/q/" + enc(q) + "/never-bound", null))
                .isEqualTo(404);
    }

    private int manage(String method, String path, String body) throws Exception {
        int port = broker.isExternal() ? broker.port() + 10_000 : broker.server().managementPort();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + broker.host() + ":" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("content-type", "application/json")
                .header("authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "guest:guest".getBytes(StandardCharsets.UTF_8)))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
