package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * RabbitMQ's sender-selected distribution: the CC and BCC headers add routing keys to a publish, BCC is removed
 * before delivery. Passes against RabbitMQ 3.10 too ({@code -Dferrymq.it.broker=host:port}).
 */
class SenderSelectedDistributionTest extends AbstractBrokerIT {

    private static AMQP.BasicProperties headers(Map<String, Object> headers) {
        return new AMQP.BasicProperties.Builder().headers(headers).build();
    }

    private static AMQP.BasicProperties cc(String... keys) {
        return headers(Map.of("CC", List.of((Object[]) keys)));
    }

    @Test
    void ccOnDirectExchangeReachesTheQueuesOfEveryListedKey() throws Exception {
        Channel ch = openChannel();
        String x = declareExchange(ch, "direct");
        String red = declareQueue(ch);
        String green = declareQueue(ch);
        String blue = declareQueue(ch);
        String other = declareQueue(ch);
        ch.queueBind(red, x, "red");
        ch.queueBind(green, x, "green");
        ch.queueBind(blue, x, "blue");
        ch.queueBind(other, x, "other");
        ch.confirmSelect();
        ch.basicPublish(x, "red", cc("green", "blue"), bytes("m"));
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        assertThat(getText(ch, red)).isEqualTo("m");
        assertThat(getText(ch, green)).isEqualTo("m");
        GetResponse delivered = ch.basicGet(blue, true);
        assertThat(delivered.getEnvelope().getRoutingKey()).as("the delivery names the publish key").isEqualTo("red");
        assertThat(delivered.getProps().getHeaders()).as("CC stays on the message").containsKey("CC");
        assertThat(getText(ch, other)).isNull();
    }

    @Test
    void ccOnTopicExchangeMatchesWildcardBindings() throws Exception {
        Channel ch = openChannel();
        String x = declareExchange(ch, "topic");
        String stocks = declareQueue(ch);
        String weather = declareQueue(ch);
        String news = declareQueue(ch);
        ch.queueBind(stocks, x, "stocks.#");
        ch.queueBind(weather, x, "*.weather");
        ch.queueBind(news, x, "news.*");
        ch.confirmSelect();
        ch.basicPublish(x, "stocks.nyse.ibm", cc("eu.weather", "sports.results"), bytes("m"));
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        assertThat(getText(ch, stocks)).isEqualTo("m");
        assertThat(getText(ch, weather)).isEqualTo("m");
        assertThat(getText(ch, news)).isNull();
    }

    @Test
    void bccRoutesButIsRemovedFromTheDeliveredMessage() throws Exception {
        Channel ch = openChannel();
        String x = declareExchange(ch, "direct");
        String to = declareQueue(ch);
        String hidden = declareQueue(ch);
        String copied = declareQueue(ch);
        ch.queueBind(to, x, "to");
        ch.queueBind(hidden, x, "hidden");
        ch.queueBind(copied, x, "copied");
        Map<String, Object> headers = new HashMap<>();
        headers.put("CC", List.of("copied"));
        headers.put("BCC", List.of("hidden"));
        headers.put("app", "kept");
        ch.confirmSelect();
        ch.basicPublish(x, "to", headers(headers), bytes("m"));
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        for (String q : List.of(to, hidden, copied)) {
            GetResponse r = ch.basicGet(q, true);
            assertThat(r).as("delivered to %s", q).isNotNull();
            assertThat(r.getProps().getHeaders()).as("headers in %s", q).doesNotContainKey("BCC")
                    .containsKey("CC").containsKey("app");
        }
    }

    @Test
    void persistentBccMessageInDurableQueueIsDeliveredWithoutBcc() throws Exception {
        Channel ch = openChannel();
        String x = declareExchange(ch, "direct");
        String durable = queueToDelete(unique("q.durable"));
        ch.queueDeclare(durable, true, false, false, null);
        ch.queueBind(durable, x, "hidden");
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().deliveryMode(2)
                .headers(Map.of("BCC", List.of("hidden"))).build();
        ch.confirmSelect();
        ch.basicPublish(x, "nowhere", props, bytes("m"));
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        GetResponse r = ch.basicGet(durable, true);
        assertThat(r.getProps().getDeliveryMode()).isEqualTo(2);
        assertThat(r.getProps().getHeaders()).doesNotContainKey("BCC");
    }

    @Test
    void returnedMessageHasNoBcc() throws Exception {
        Channel ch = openChannel();
        String x = declareExchange(ch, "direct");
        CompletableFuture<AMQP.BasicProperties> returned = new CompletableFuture<>();
        ch.addReturnListener(r -> returned.complete(r.getProperties()));
        ch.basicPublish(x, "unbound", true, headers(Map.of("BCC", List.of("nowhere"), "app", "kept")), bytes("m"));
        AMQP.BasicProperties props = returned.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(props.getHeaders()).containsKey("app").doesNotContainKey("BCC");
    }

    @Test
    void ccThatIsNotAnArrayIsRefusedAtPublishInATransaction() throws Exception {
        Channel ch = openChannel();
        String x = declareExchange(ch, "direct");
        ch.txSelect();
        assertChannelError(ch, PRECONDITION_FAILED, () -> {
            ch.basicPublish(x, "key", headers(Map.of("BCC", 1)), bytes("m"));
            ch.queueDeclarePassive(x.replace("x.", "missing."));
        });
    }

    @Test
    void queueReachedByRoutingKeyAndCcGetsOneCopy() throws Exception {
        Channel ch = openChannel();
        String x = declareExchange(ch, "topic");
        String q = declareQueue(ch);
        ch.queueBind(q, x, "a.*");
        ch.queueBind(q, x, "b");
        ch.confirmSelect();
        ch.basicPublish(x, "a.1", headers(Map.of("CC", List.of("b", "a.2"), "BCC", List.of("a.1"))), bytes("m"));
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        assertThat(getText(ch, q)).isEqualTo("m");
        assertThat(ch.basicGet(q, true)).isNull();
    }

    @Test
    void mandatoryMessageRoutedOnlyByCcIsNotReturned() throws Exception {
        Channel ch = openChannel();
        String x = declareExchange(ch, "direct");
        String q = declareQueue(ch);
        ch.queueBind(q, x, "copied");
        CompletableFuture<String> returned = new CompletableFuture<>();
        ch.addReturnListener(r -> returned.complete(r.getRoutingKey()));
        ch.confirmSelect();
        ch.basicPublish(x, "unbound", true, cc("copied"), bytes("m"));
        ch.basicPublish(x, "unbound", true, cc("also-unbound"), bytes("returned"));
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        assertThat(returned.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("unbound");
        assertThat(getText(ch, q)).isEqualTo("m");
        assertThat(ch.basicGet(q, true)).isNull();
    }

    @Test
    void ccOnDefaultExchangeReachesTheNamedQueues() throws Exception {
        Channel ch = openChannel();
        String first = declareQueue(ch);
        String second = declareQueue(ch);
        ch.confirmSelect();
        ch.basicPublish("", first, cc(second), bytes("m"));
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        assertThat(getText(ch, first)).isEqualTo("m");
        assertThat(getText(ch, second)).isEqualTo("m");
    }

    @Test
    void ccKeysAreFollowedThroughExchangeToExchangeBindingsAndAlternateExchanges() throws Exception {
        Channel ch = openChannel();
        String fanout = declareExchange(ch, "fanout");
        String direct = declareExchange(ch, "direct");
        ch.exchangeBind(direct, fanout, "");
        String viaBinding = declareQueue(ch);
        ch.queueBind(viaBinding, direct, "copied");
        String alternate = declareExchange(ch, "direct");
        String viaAlternate = declareQueue(ch);
        ch.queueBind(viaAlternate, alternate, "copied");
        String withAlternate = exchangeToDelete(unique("x.with-ae"));
        ch.exchangeDeclare(withAlternate, "direct", false, false, Map.of("alternate-exchange", alternate));
        ch.confirmSelect();
        ch.basicPublish(fanout, "unbound", cc("copied"), bytes("e2e"));
        ch.basicPublish(withAlternate, "unbound", cc("copied"), bytes("ae"));
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        assertThat(getText(ch, viaBinding)).isEqualTo("e2e");
        assertThat(getText(ch, viaAlternate)).isEqualTo("ae");
    }

    @Test
    void fanoutAndHeadersExchangesRouteAsWithoutCc() throws Exception {
        Channel ch = openChannel();
        String fanout = declareExchange(ch, "fanout");
        String headersExchange = declareExchange(ch, "headers");
        String q = declareQueue(ch);
        ch.queueBind(q, fanout, "");
        ch.queueBind(q, headersExchange, "", Map.of("x-match", "all", "kind", "wanted"));
        ch.confirmSelect();
        ch.basicPublish(fanout, "any", cc("a", "b", "c"), bytes("fanout"));
        ch.basicPublish(headersExchange, "any", headers(Map.of("CC", List.of("a"), "kind", "other")), bytes("not"));
        ch.basicPublish(headersExchange, "any", headers(Map.of("CC", List.of("a"), "kind", "wanted")),
                bytes("headers"));
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        assertThat(getText(ch, q)).isEqualTo("fanout");
        assertThat(getText(ch, q)).isEqualTo("headers");
        assertThat(ch.basicGet(q, true)).isNull();
    }

    @Test
    void onlyStringElementsOfCcAreRoutingKeys() throws Exception {
        Channel ch = openChannel();
        String x = declareExchange(ch, "direct");
        String q = declareQueue(ch);
        ch.queueBind(q, x, "copied");
        ch.confirmSelect();
        ch.basicPublish(x, "unbound", headers(Map.of("CC", List.of(42, "copied"))), bytes("m"));
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        assertThat(getText(ch, q)).isEqualTo("m");
    }

    @Test
    void ccThatIsNotAnArrayIsRefusedWith406() throws Exception {
        Channel ch = openChannel();
        String x = declareExchange(ch, "direct");
        ShutdownSignalException closed = assertChannelError(ch, PRECONDITION_FAILED, () -> {
            ch.basicPublish(x, "key", headers(Map.of("CC", "copied")), bytes("m"));
            ch.queueDeclarePassive(x.replace("x.", "missing.")); // any synchronous method to see the close
        });
        assertThat(replyText(closed)).isEqualTo(
                "PRECONDITION_FAILED - invalid message: {unacceptable_type_in_header,\"CC\",longstr}");
        AMQP.Channel.Close close = (AMQP.Channel.Close) closed.getReason();
        assertThat(close.getClassId()).isEqualTo(60);
        assertThat(close.getMethodId()).isEqualTo(40);
    }

    @Test
    void deadLetterRecordsCcInXDeathAndIsRoutedByItWithoutADeadLetterRoutingKey() throws Exception {
        Channel ch = openChannel();
        String dlx = declareExchange(ch, "direct");
        String byKey = declareQueue(ch);
        String byCc = declareQueue(ch);
        ch.queueBind(byKey, dlx, "key");
        ch.queueBind(byCc, dlx, "copied");
        String source = queueToDelete(unique("q.source"));
        ch.queueDeclare(source, false, false, false, Map.of("x-dead-letter-exchange", dlx));
        String renamed = queueToDelete(unique("q.renamed"));
        ch.queueDeclare(renamed, false, false, false,
                Map.of("x-dead-letter-exchange", dlx, "x-dead-letter-routing-key", "key"));
        String x = declareExchange(ch, "direct");
        ch.queueBind(source, x, "key");
        ch.queueBind(renamed, x, "renamed");
        ch.confirmSelect();
        ch.basicPublish(x, "key", cc("copied"), bytes("kept-keys"));
        ch.basicPublish(x, "other", cc("renamed"), bytes("new-key"));
        ch.waitForConfirmsOrDie(WAIT.toMillis());

        ch.basicReject(ch.basicGet(source, false).getEnvelope().getDeliveryTag(), false);
        eventually("dead-lettered by key and CC", () -> messageCount(ch.getConnection(), byCc) == 1);
        GetResponse viaCc = ch.basicGet(byCc, true);
        assertThat(text(viaCc.getBody())).isEqualTo("kept-keys");
        Map<?, ?> death = (Map<?, ?>) ((List<?>) viaCc.getProps().getHeaders().get("x-death")).get(0);
        assertThat(death.get("routing-keys").toString()).isEqualTo("[key, copied]");
        assertThat(getText(ch, byKey)).isEqualTo("kept-keys");

        ch.basicReject(ch.basicGet(renamed, false).getEnvelope().getDeliveryTag(), false);
        eventually("dead-lettered by its new key", () -> messageCount(ch.getConnection(), byKey) == 1);
        GetResponse viaNewKey = ch.basicGet(byKey, true);
        assertThat(text(viaNewKey.getBody())).isEqualTo("new-key");
        assertThat(viaNewKey.getProps().getHeaders()).as("a dead-letter routing key drops CC").doesNotContainKey("CC");
        death = (Map<?, ?>) ((List<?>) viaNewKey.getProps().getHeaders().get("x-death")).get(0);
        assertThat(death.get("routing-keys").toString()).isEqualTo("[other, renamed]");
        assertThat(ch.basicGet(byCc, true)).isNull();
    }
}
