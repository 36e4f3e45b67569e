package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.ferrymq.server.FerryServer;
import dev.ferrymq.server.config.ServerConfig;
import dev.ferrymq.server.config.Settings;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Policies and operator policies through the HTTP API and the CLI, observed with the RabbitMQ Java client. */
class PoliciesTest extends AbstractBrokerIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<String> policiesToClear = new java.util.concurrent.CopyOnWriteArrayList<>();

    @TempDir
    Path dataDir;

    private record Response(int status, JsonNode json) {
    }

    private Response call(int port, String method, String path, String body, String user) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/" + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("content-type", "application/json")
                .header("authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (user + ":" + user).getBytes(StandardCharsets.UTF_8)))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.body().isEmpty() ? null : JSON.readTree(response.body()));
    }

    private Response call(String method, String path, String body) throws Exception {
        return call(broker.server().managementPort(), method, path, body, "guest");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Sets a policy on "/" (cleared after the test) and checks the API accepted it. */
    private void setPolicy(String kind, String name, String pattern, String definition, int priority)
            throws Exception {
        policiesToClear.add(kind + "/%2F/" + enc(name));
        Response r = call("PUT", kind + "/%2F/" + enc(name), "{\"pattern\":" + JSON.writeValueAsString(pattern)
                + ",\"definition\":" + definition + ",\"priority\":" + priority + ",\"apply-to\":\"all\"}");
        assertThat(r.status()).as("PUT %s: %s", name, r.json()).isIn(201, 204);
    }

    @AfterEach
    void clearPolicies() throws Exception {
        for (String path : policiesToClear) {
            call("DELETE", path, null);
        }
        policiesToClear.clear();
    }

    private static String exact(String name) {
        return "^" + java.util.regex.Pattern.quote(name) + "$";
    }

    @Test
    void maxLengthPolicyOnAnExistingQueueDropsItsHead() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        publishConfirmed(ch, "", q, "m1", "m2", "m3", "m4", "m5");
        setPolicy("policies", unique("cap"), exact(q), "{\"max-length\":2}", 0);
        assertThat(messageCount(ch.getConnection(), q)).isEqualTo(2);
        assertThat(getText(ch, q)).isEqualTo("m4");
        assertThat(getText(ch, q)).isEqualTo("m5");
        JsonNode queueJson = call("GET", "queues/%2F/" + enc(q), null).json();
        assertThat(queueJson.path("effective_policy_definition").path("max-length").asInt()).isEqualTo(2);
    }

    @Test
    void deadLetterPolicyRoutesRejectedMessagesToTheDlxWithXDeath() throws Exception {
        Channel ch = openChannel();
        String work = declareQueue(ch);
        String dlx = declareExchange(ch, "fanout");
        String dead = declareQueue(ch);
        ch.queueBind(dead, dlx, "");
        publishConfirmed(ch, "", work, "poison");
        GetResponse taken = ch.basicGet(work, false);
        setPolicy("policies", unique("dlx"), exact(work), "{\"dead-letter-exchange\":\"" + dlx + "\"}", 0);
        ch.basicReject(taken.getEnvelope().getDeliveryTag(), false);

        GetResponse[] deadLetter = new GetResponse[1];
        eventually("the rejected message reaches the dead-letter queue",
                () -> (deadLetter[0] = ch.basicGet(dead, true)) != null);
        assertThat(text(deadLetter[0].getBody())).isEqualTo("poison");
        Map<String, Object> headers = deadLetter[0].getProps().getHeaders();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> deaths = (List<Map<String, Object>>) headers.get("x-death");
        assertThat(deaths).hasSize(1);
        assertThat(deaths.get(0).get("reason").toString()).isEqualTo("rejected");
        assertThat(deaths.get(0).get("queue").toString()).isEqualTo(work);
        assertThat(deaths.get(0).get("count")).isEqualTo(1L);
        assertThat(headers.get("x-first-death-reason").toString()).isEqualTo("rejected");
    }

    @Test
    void messageTtlPolicyExpiresMessagesAndTheOperatorPolicysSmallerValueWins() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        setPolicy("policies", unique("ttl"), exact(q), "{\"message-ttl\":600000}", 0);
        setPolicy("operator-policies", unique("ttl-cap"), exact(q), "{\"message-ttl\":100}", 0);
        publishConfirmed(ch, "", q, "short-lived");
        eventually("the message expires without a consumer", () -> messageCount(ch.getConnection(), q) == 0);
        JsonNode queueJson = call("GET", "queues/%2F/" + enc(q), null).json();
        assertThat(queueJson.path("effective_policy_definition").path("message-ttl").asInt()).isEqualTo(100);
        assertThat(queueJson.path("operator_policy").asText()).startsWith("it.ttl-cap.");
    }

    @Test
    void alternateExchangePolicyCatchesUnroutableMessages() throws Exception {
        Channel ch = openChannel();
        String x = declareExchange(ch, "direct");
        String ae = declareExchange(ch, "fanout");
        String caught = declareQueue(ch);
        ch.queueBind(caught, ae, "");
        setPolicy("policies", unique("ae"), exact(x), "{\"alternate-exchange\":\"" + ae + "\"}", 0);
        publishConfirmed(ch, x, "no-such-key", "lost?");
        assertThat(getText(ch, caught)).isEqualTo("lost?");
    }

    @Test
    void policyApiRoundTripValidationAndAuthorization() throws Exception {
        String name = unique("p");
        String path = "policies/%2F/" + enc(name);
        policiesToClear.add(path);
        String body = "{\"pattern\":\"^orders\\\\.\",\"definition\":{\"max-length\":10,\"overflow\":\"reject-publish\"},"
                + "\"priority\":7,\"apply-to\":\"queues\"}";
        assertThat(call("PUT", path, body).status()).isEqualTo(201);
        assertThat(call("PUT", path, body).status()).isEqualTo(204);
        JsonNode p = call("GET", path, null).json();
        assertThat(p.path("pattern").asText()).isEqualTo("^orders\\.");
        assertThat(p.path("priority").asInt()).isEqualTo(7);
        assertThat(p.path("apply-to").asText()).isEqualTo("queues");
        assertThat(p.path("vhost").asText()).isEqualTo("/");
        assertThat(p.path("definition").path("max-length").asInt()).isEqualTo(10);
        assertThat(p.path("definition").path("overflow").asText()).isEqualTo("reject-publish");
        assertThat(call("GET", "policies", null).json().findValuesAsText("name")).contains(name);
        assertThat(call("GET", "policies/%2F", null).json().findValuesAsText("name")).contains(name);
        assertThat(call("GET", "operator-policies/%2F", null).json().findValuesAsText("name")).doesNotContain(name);
        assertThat(call("GET", "definitions", null).json().path("policies").findValuesAsText("name")).contains(name);

        Response maxPriority = call("PUT", path, "{\"pattern\":\".*\",\"definition\":{\"max-priority\":5}}");
        assertThat(maxPriority.status()).isEqualTo(400);
        assertThat(maxPriority.json().path("reason").asText()).contains("max-priority");
        Response unknown = call("PUT", path, "{\"pattern\":\".*\",\"definition\":{\"ha-mode\":\"all\"}}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().path("reason").asText()).contains("not recognised");
        assertThat(call("PUT", path, "{\"definition\":{\"max-length\":1}}").status()).isEqualTo(400);
        assertThat(call("PUT", "operator-policies/%2F/" + enc(name),
                "{\"pattern\":\".*\",\"definition\":{\"dead-letter-exchange\":\"x\"}}").status()).isEqualTo(400);
        assertThat(call("GET", path, null).json().path("priority").asInt()).as("unchanged").isEqualTo(7);

        String user = unique("mgmt");
        assertThat(call("PUT", "users/" + enc(user), "{\"password\":\"" + user + "\",\"tags\":\"management\"}")
                .status()).isEqualTo(201);
        try {
            int port = broker.server().managementPort();
            assertThat(call(port, "PUT", path, body, user).status()).isEqualTo(401);
            assertThat(call(port, "DELETE", path, null, user).status()).isEqualTo(401);
            assertThat(call(port, "GET", "policies", null, user).status()).isEqualTo(401);
        } finally {
            call("DELETE", "users/" + enc(user), null);
        }

        assertThat(call("DELETE", path, null).status()).isEqualTo(204);
        assertThat(call("GET", path, null).status()).isEqualTo(404);
        assertThat(call("DELETE", path, null).status()).isEqualTo(404);
    }

    @Test
    void cliSetsListsAndClearsPolicies() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        String name = unique("cli");
        policiesToClear.add("policies/%2F/" + enc(name));
        assertThat(ferrymq("set-policy", name, exact(q), "{\"max-length\":1}", "--priority", "3",
                "--apply-to", "queues").exitCode()).isZero();
        publishConfirmed(ch, "", q, "a", "b");
        assertThat(messageCount(ch.getConnection(), q)).isEqualTo(1);
        assertThat(ferrymq("list-policies").out()).contains(name + "\t" + exact(q) + "\tqueues\t{\"max-length\":1}\t3");
        assertThat(ferrymq("set-policy", name, ".*", "{\"max-priority\":1}").exitCode()).isEqualTo(1);
        assertThat(ferrymq("clear-policy", name).exitCode()).isZero();
        assertThat(ferrymq("list-policies").out()).doesNotContain(name);
        assertThat(ferrymq("clear-policy", name).exitCode()).isEqualTo(1);
    }

    private CliRunner.Run ferrymq(String... args) {
        return CliRunner.ferrymq(broker.server().managementPort(), args);
    }

    @Test
    void policiesSurviveARestartAndApplyToRecoveredQueues() throws Exception {
        ServerConfig config = ServerConfig.defaults().with(Settings.AMQP_PORT, 0).with(Settings.MANAGEMENT_PORT, 0)
                .with(Settings.BIND, "127.0.0.1")
                .with(Settings.DATA_DIR, dataDir);
        String q = "it.durable.capped";
        FerryServer first = FerryServer.start(config);
        try {
            try (Connection c = newConnection(first)) {
                c.createChannel().queueDeclare(q, true, false, false, null);
            }
            assertThat(call(first.managementPort(), "PUT", "policies/%2F/cap",
                    "{\"pattern\":\"capped$\",\"definition\":{\"max-length\":1},\"apply-to\":\"queues\"}", "guest")
                    .status()).isEqualTo(201);
        } finally {
            first.close();
        }
        FerryServer second = FerryServer.start(config);
        try (Connection c = newConnection(second)) {
            Channel ch = c.createChannel();
            publishConfirmed(ch, "", q, "a", "b", "c");
            assertThat(ch.queueDeclarePassive(q).getMessageCount()).isEqualTo(1);
            assertThat(getText(ch, q)).isEqualTo("c");
            assertThat(call(second.managementPort(), "GET", "policies/%2F/cap", null, "guest").json()
                    .path("apply-to").asText()).isEqualTo("queues");
        } finally {
            second.close();
        }
    }

    private Connection newConnection(FerryServer server) throws Exception {
        var factory = factory();
        factory.setPort(server.amqpPort());
        return factory.newConnection("it-policy-restart");
    }
}
