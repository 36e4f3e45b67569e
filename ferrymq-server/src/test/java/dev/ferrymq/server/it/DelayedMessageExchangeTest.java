package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The {@code x-delayed-message} exchange as clients of rabbitmq-delayed-message-exchange use it: {@code x-delay}
 * in milliseconds, routing as {@code x-delayed-type}, bindings as they are when the message is due. Timing bounds
 * are generous (a shared two-core machine): a message must never arrive before its delay, and must arrive within
 * a few seconds after it.
 */
class DelayedMessageExchangeTest extends AbstractBrokerIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    private record Arrival(String body, long afterPublishMillis, Object xDelay) {
    }

    private String delayedExchange(Channel ch, String routeAs) throws Exception {
        String x = exchangeToDelete(unique("x.delayed"));
        ch.exchangeDeclare(x, "x-delayed-message", false, false, Map.of("x-delayed-type", routeAs));
        return x;
    }

    /** A queue bound to {@code x} with {@code key}, on a channel in confirm mode. */
    private String boundQueue(Channel ch, String x, String key) throws Exception {
        String q = declareQueue(ch);
        ch.queueBind(q, x, key);
        ch.confirmSelect();
        return q;
    }

    private static AMQP.BasicProperties delay(Object millis) {
        return new AMQP.BasicProperties.Builder().headers(Map.of("x-delay", millis)).build();
    }

    private List<Arrival> consume(Channel ch, String queue, long publishedAt) throws Exception {
        List<Arrival> arrivals = Collections.synchronizedList(new ArrayList<>());
        ch.basicConsume(queue, true, new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
                Object header = props.getHeaders() == null ? null : props.getHeaders().get("x-delay");
                arrivals.add(new Arrival(text(body), System.currentTimeMillis() - publishedAt, header));
            }
        });
        return arrivals;
    }

    @Test
    void messagesArriveInDueOrderAndNeverBeforeTheirDelay() throws Exception {
        Channel ch = openChannel();
        String x = delayedExchange(ch, "direct");
        String q = boundQueue(ch, x, "k");
        long publishedAt = System.currentTimeMillis();
        ch.basicPublish(x, "k", delay(1500), bytes("late"));
        ch.basicPublish(x, "k", delay(300), bytes("early"));
        ch.basicPublish(x, "k", delay(900), bytes("middle"));
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        assertThat(messageCount(connect(), q)).as("nothing routed before it is due").isZero();
        List<Arrival> arrivals = consume(connect().createChannel(), q, publishedAt);
        eventually("three delayed messages", () -> arrivals.size() == 3);
        assertThat(arrivals).extracting(Arrival::body).containsExactly("early", "middle", "late");
        assertThat(arrivals.get(0).afterPublishMillis()).isGreaterThanOrEqualTo(300 - 20);
        assertThat(arrivals.get(1).afterPublishMillis()).isGreaterThanOrEqualTo(900 - 20);
        assertThat(arrivals.get(2).afterPublishMillis()).isGreaterThanOrEqualTo(1500 - 20);
        // the plugin hands the message on with x-delay negated, so a delayed exchange further on does not delay it
        assertThat(arrivals).extracting(Arrival::xDelay).containsExactly(-300, -900, -1500);
    }

    @Test
    void messagesWithTheSameDueTimeKeepPublishOrder() throws Exception {
        Channel ch = openChannel();
        String x = delayedExchange(ch, "fanout");
        String q = boundQueue(ch, x, "");
        int n = 200;
        for (int i = 0; i < n; i++) {
            ch.basicPublish(x, "", delay(400), bytes("m" + i));
        }
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        List<Arrival> arrivals = consume(connect().createChannel(), q, System.currentTimeMillis());
        eventually("all delayed messages", () -> arrivals.size() == n);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            expected.add("m" + i);
        }
        assertThat(arrivals).extracting(Arrival::body).containsExactlyElementsOf(expected);
    }

    @Test
    void withoutAPositiveDelayAMessageRoutesAtOnce() throws Exception {
        Channel ch = openChannel();
        String x = delayedExchange(ch, "direct");
        String q = boundQueue(ch, x, "k");
        ch.basicPublish(x, "k", null, bytes("no header"));
        ch.basicPublish(x, "k", delay(0), bytes("zero"));
        ch.basicPublish(x, "k", delay(-5000), bytes("negative"));
        ch.basicPublish(x, "k", delay("not a number"), bytes("text"));
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        assertThat(List.of(getText(ch, q), getText(ch, q), getText(ch, q), getText(ch, q)))
                .containsExactly("no header", "zero", "negative", "text");
    }

    @Test
    void aStringOrFloatDelayIsReadAsMilliseconds() throws Exception {
        Channel ch = openChannel();
        String x = delayedExchange(ch, "direct");
        String q = boundQueue(ch, x, "k");
        ch.basicPublish(x, "k", delay("600"), bytes("string"));
        ch.basicPublish(x, "k", delay(600.9), bytes("float"));
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        assertThat(messageCount(connect(), q)).isZero();
        eventually("both delayed messages", () -> messageCount(connect(), q) == 2);
    }

    @Test
    void routesWithTheBindingsTheExchangeHasWhenTheMessageIsDue() throws Exception {
        Channel ch = openChannel();
        String x = delayedExchange(ch, "topic");
        String early = declareQueue(ch);
        String late = declareQueue(ch);
        ch.queueBind(early, x, "orders.*");
        ch.confirmSelect();
        ch.basicPublish(x, "orders.created", delay(700), bytes("o1"));
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        ch.queueUnbind(early, x, "orders.*");
        ch.queueBind(late, x, "orders.#");
        eventually("routed to the queue bound meanwhile", () -> messageCount(connect(), late) == 1);
        assertThat(messageCount(connect(), early)).isZero();
    }

    @Test
    void aMessageScheduledIntoADeletedExchangeIsDropped() throws Exception {
        Channel ch = openChannel();
        String x = delayedExchange(ch, "fanout");
        String q = boundQueue(ch, x, "");
        ch.basicPublish(x, "", delay(400), bytes("orphan"));
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        ch.exchangeDelete(x);
        Thread.sleep(1_000);
        assertThat(messageCount(connect(), q)).isZero();
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void aMandatoryDelayedMessageIsNotReturned() throws Exception {
        Channel ch = openChannel();
        String x = delayedExchange(ch, "direct");
        AtomicBoolean returned = new AtomicBoolean();
        ch.addReturnListener(r -> returned.set(true));
        ch.confirmSelect();
        ch.basicPublish(x, "nowhere", true, delay(200), bytes("m"));
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        ch.basicPublish(x, "nowhere", true, null, bytes("undelayed"));
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        eventually("the undelayed, unroutable message is returned", returned::get);
        returned.set(false);
        ch.basicPublish(x, "nowhere", true, delay(200), bytes("m"));
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        Thread.sleep(600);
        assertThat(returned).as("a scheduled message is accepted, not returned (a difference from the plugin)")
                .isFalse();
    }

    @Test
    void theDelayedTypeArgumentIsRequired() throws Exception {
        Channel ch = openChannel();
        var missing = assertChannelError(ch, PRECONDITION_FAILED,
                () -> ch.exchangeDeclare(unique("x.bad"), "x-delayed-message", false, false, Map.of()));
        assertThat(replyText(missing)).isEqualTo(
                "PRECONDITION_FAILED - Invalid argument, 'x-delayed-type' must be an existing exchange type");
        Channel again = openChannel();
        var itself = assertChannelError(again, PRECONDITION_FAILED, () -> again.exchangeDeclare(unique("x.bad"),
                "x-delayed-message", false, false, Map.of("x-delayed-type", "x-delayed-message")));
        assertThat(replyText(itself)).isEqualTo(
                "PRECONDITION_FAILED - Invalid argument, 'x-delayed-message' can't be used for 'x-delayed-type'");
        Channel third = openChannel();
        assertConnectionError(third, COMMAND_INVALID, () -> third.exchangeDeclare(unique("x.bad"),
                "x-delayed-message", false, false, Map.of("x-delayed-type", "no-such-type")));
    }

    @Test
    void managementApiAndMetricsShowScheduledMessages() throws Exception {
        Channel ch = openChannel();
        String x = delayedExchange(ch, "direct");
        ch.confirmSelect();
        long before = System.currentTimeMillis();
        ch.basicPublish(x, "k", delay(60_000), bytes("a"));
        ch.basicPublish(x, "k", delay(30_000), bytes("b"));
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        JsonNode exchange = get("/api/exchanges/%2F/" + x);
        assertThat(exchange.get("messages_delayed").asLong()).isEqualTo(2);
        long next = java.time.Instant.parse(exchange.get("next_delivery").asText()).toEpochMilli();
        assertThat(next).isBetween(before + 30_000, System.currentTimeMillis() + 30_000);
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + broker.server().managementPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("ferrymq_delayed_messages{vhost=\"/\",exchange=\"" + x + "\"} 2");
        ch.exchangeDelete(x);
    }

    private JsonNode get(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + broker.server().managementPort() + path))
                .header("authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "guest:guest".getBytes(StandardCharsets.UTF_8))).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
