package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Topic permissions (RabbitMQ's topic authorisation): per user, vhost and exchange, a write pattern on the routing
 * keys published to a topic exchange and a read pattern on the binding keys bound from it, managed through
 * /api/topic-permissions. Users are set up over HTTP, so everything but the restart runs against RabbitMQ too
 * ({@code -Dferrymq.it.broker=127.0.0.1:5699}, management port assumed at AMQP port + 10000 unless
 * {@code -Dferrymq.it.management-port} says otherwise).
 */
class TopicPermissionsTest extends AbstractBrokerIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<String> usersToDelete = new CopyOnWriteArrayList<>();

    @TempDir
    Path dataDir;

    private record Response(int status, JsonNode json) {
    }

    @AfterEach
    void deleteUsers() throws Exception {
        for (String user : usersToDelete) {
            call("DELETE", "users/" + enc(user), null);
        }
        usersToDelete.clear();
    }

    private int managementPort() {
        return broker.isExternal() ? Integer.getInteger("ferrymq.it.management-port", broker.port() + 10000)
                : broker.server().managementPort();
    }

    private Response call(int port, String method, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/" + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("content-type", "application/json")
                .header("authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "guest:guest".getBytes(StandardCharsets.UTF_8)))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.body().isEmpty() ? null : JSON.readTree(response.body()));
    }

    private Response call(String method, String path, String body) throws Exception {
        return call(managementPort(), method, path, body);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A new user (password = name) with full permissions on "/", deleted after the test. */
    private String newUser() throws Exception {
        String user = unique("tp");
        usersToDelete.add(user);
        assertThat(call("PUT", "users/" + enc(user), "{\"password\":\"" + user + "\",\"tags\":\"\"}").status())
                .isEqualTo(201);
        assertThat(call("PUT", "permissions/%2F/" + enc(user),
                "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}").status()).isEqualTo(201);
        return user;
    }

    private void setTopicPermission(String user, String exchange, String write, String read) throws Exception {
        assertThat(call("PUT", "topic-permissions/%2F/" + enc(user), "{\"exchange\":\"" + exchange
                + "\",\"write\":\"" + write + "\",\"read\":\"" + read + "\"}").status()).isIn(201, 204);
    }

    private Channel channelAs(String user) throws Exception {
        ConnectionFactory factory = factory();
        factory.setUsername(user);
        factory.setPassword(user);
        return track(factory.newConnection()).createChannel();
    }

    private static String refusal(String routingKey, String exchange, String user) {
        return "ACCESS_REFUSED - access to topic '" + routingKey + "' in exchange '" + exchange
                + "' in vhost '/' refused for user '" + user + "'";
    }

    /** A queue bound to {@code exchange} with {@code #} by guest, deleted after the test. */
    private String queueBoundToAll(String exchange) throws Exception {
        Channel admin = openChannel();
        String q = declareQueue(admin);
        admin.queueBind(q, exchange, "#");
        return q;
    }

    // ---------------------------------------------------------------- enforcement

    @Test
    void publishToATopicExchangeNeedsTheRoutingKeyToMatchTheWritePattern() throws Exception {
        String user = newUser();
        setTopicPermission(user, "amq.topic", "^allowed\\\\.", ".*");
        String q = queueBoundToAll("amq.topic");

        Channel ch = channelAs(user);
        publishConfirmed(ch, "amq.topic", "allowed.one", "yes");
        assertThat(getText(openChannel(), q)).isEqualTo("yes");

        ShutdownSignalException refused = assertChannelError(ch, ACCESS_REFUSED,
                () -> publish(ch, "amq.topic", "other.one", "no"));
        assertThat(replyText(refused)).isEqualTo(refusal("other.one", "amq.topic", user));
        assertThat(((com.rabbitmq.client.AMQP.Channel.Close) refused.getReason()).getClassId()).isEqualTo(60);
        assertThat(((com.rabbitmq.client.AMQP.Channel.Close) refused.getReason()).getMethodId()).isEqualTo(40);
        assertThat(getText(openChannel(), q)).isNull();
    }

    @Test
    void aPublishToAnInternalTopicExchangeIsRefusedAsInternalBeforeTheTopicCheck() throws Exception {
        String user = newUser();
        String internal = exchangeToDelete(unique("x.internal"));
        openChannel().exchangeDeclare(internal, "topic", false, false, true, null);
        setTopicPermission(user, internal, "^nothing$", ".*");
        Channel ch = channelAs(user);
        assertThat(replyText(assertChannelError(ch, ACCESS_REFUSED, () -> publish(ch, internal, "k", "x"))))
                .isEqualTo("ACCESS_REFUSED - cannot publish to internal exchange '" + internal + "' in vhost '/'");
    }

    @Test
    void anEmptyWritePatternPermitsOnlyTheEmptyRoutingKey() throws Exception {
        String user = newUser();
        setTopicPermission(user, "amq.topic", "", ".*");
        Channel ch = channelAs(user);
        publishConfirmed(ch, "amq.topic", "", "empty key");
        assertThat(replyText(assertChannelError(ch, ACCESS_REFUSED, () -> publish(ch, "amq.topic", "a", "x"))))
                .isEqualTo(refusal("a", "amq.topic", user));
    }

    @Test
    void bindingFromATopicExchangeNeedsTheBindingKeyToMatchTheReadPattern() throws Exception {
        String user = newUser();
        setTopicPermission(user, "amq.topic", ".*", "^mine\\\\.");
        Connection c = channelAs(user).getConnection();
        Channel ch = c.createChannel();
        String q = declareQueue(ch);
        ch.queueBind(q, "amq.topic", "mine.#");
        ch.queueUnbind(q, "amq.topic", "mine.#");

        ShutdownSignalException bind = assertChannelError(ch, ACCESS_REFUSED,
                () -> ch.queueBind(q, "amq.topic", "other.#"));
        assertThat(replyText(bind)).isEqualTo(refusal("other.#", "amq.topic", user));

        Channel unbind = c.createChannel();
        assertThat(replyText(assertChannelError(unbind, ACCESS_REFUSED,
                () -> unbind.queueUnbind(q, "amq.topic", "other.#")))).isEqualTo(refusal("other.#", "amq.topic", user));

        Channel e2e = c.createChannel();
        String destination = declareExchange(e2e, "fanout");
        e2e.exchangeBind(destination, "amq.topic", "mine.x");
        assertThat(replyText(assertChannelError(e2e, ACCESS_REFUSED,
                () -> e2e.exchangeBind(destination, "amq.topic", "other.x"))))
                .isEqualTo(refusal("other.x", "amq.topic", user));
        Channel e2eUnbind = c.createChannel();
        assertChannelError(e2eUnbind, ACCESS_REFUSED, () -> e2eUnbind.exchangeUnbind(destination, "amq.topic", "o"));
    }

    @Test
    void usernameAndVhostVariablesAreExpandedInPatterns() throws Exception {
        String user = newUser();
        setTopicPermission(user, "amq.topic", "^{username}\\\\.{vhost}\\\\.", "^{username}\\\\.");
        String q = queueBoundToAll("amq.topic");
        Channel ch = channelAs(user);
        publishConfirmed(ch, "amq.topic", user + "./.x", "mine");
        assertThat(getText(openChannel(), q)).isEqualTo("mine");
        ch.queueBind(declareQueue(ch), "amq.topic", user + ".#");

        assertThat(replyText(assertChannelError(ch, ACCESS_REFUSED,
                () -> publish(ch, "amq.topic", "someone.else./.x", "no"))))
                .isEqualTo(refusal("someone.else./.x", "amq.topic", user));
    }

    @Test
    void withoutATopicPermissionForTheExchangeEverythingIsAllowed() throws Exception {
        String user = newUser();
        String other = unique("x.topic");
        setTopicPermission(user, other, "^nothing$", "^nothing$");
        String q = queueBoundToAll("amq.topic");
        Channel ch = channelAs(user);
        publishConfirmed(ch, "amq.topic", "any.key", "free");
        ch.queueBind(declareQueue(ch), "amq.topic", "any.#");
        assertThat(getText(openChannel(), q)).isEqualTo("free");

        Channel noTopicPermissionAtAll = channelAs(newUser());
        publishConfirmed(noTopicPermissionAtAll, "amq.topic", "any.key", "free too");
        assertThat(getText(openChannel(), q)).isEqualTo("free too");
    }

    @Test
    void exchangesOfOtherTypesAreNotChecked() throws Exception {
        String user = newUser();
        setTopicPermission(user, "amq.direct", "^nothing$", "^nothing$");
        Channel admin = openChannel();
        String q = declareQueue(admin);
        admin.queueBind(q, "amq.direct", "k");
        Channel ch = channelAs(user);
        publishConfirmed(ch, "amq.direct", "k", "direct");
        ch.queueBind(declareQueue(ch), "amq.direct", "anything");
        assertThat(getText(openChannel(), q)).isEqualTo("direct");
    }

    @Test
    void aChangedTopicPermissionAppliesToChannelsOpenedAfterwards() throws Exception {
        String user = newUser();
        setTopicPermission(user, "amq.topic", "^a\\\\.", ".*");
        publishConfirmed(channelAs(user), "amq.topic", "a.1", "x");
        setTopicPermission(user, "amq.topic", "^b\\\\.", ".*");
        Channel ch = channelAs(user);
        publishConfirmed(ch, "amq.topic", "b.1", "x");
        assertChannelError(ch, ACCESS_REFUSED, () -> publish(ch, "amq.topic", "a.1", "x"));

        assertThat(call("DELETE", "topic-permissions/%2F/" + enc(user), null).status()).isEqualTo(204);
        publishConfirmed(channelAs(user), "amq.topic", "a.1", "x");
    }

    // ---------------------------------------------------------------- management API

    @Test
    void topicPermissionsAreManagedThroughTheHttpApiInRabbitMqShapes() throws Exception {
        String user = newUser();
        String path = "topic-permissions/%2F/" + enc(user);
        assertThat(call("GET", path, null).status()).isEqualTo(404);
        assertThat(call("DELETE", path, null).status()).isEqualTo(404);

        assertThat(call("PUT", path, "{\"exchange\":\"amq.topic\",\"write\":\"^a\",\"read\":\".*\"}").status())
                .isEqualTo(201);
        assertThat(call("PUT", path, "{\"exchange\":\"other\",\"write\":\"{username}\",\"read\":\"\"}").status())
                .as("the user already has topic permissions in the vhost").isEqualTo(204);
        JsonNode list = call("GET", path, null).json();
        assertThat(list).hasSize(2);
        JsonNode topic = list.get(0).get("exchange").asText().equals("amq.topic") ? list.get(0) : list.get(1);
        JsonNode other = topic == list.get(0) ? list.get(1) : list.get(0);
        assertThat(topic.get("user").asText()).isEqualTo(user);
        assertThat(topic.get("vhost").asText()).isEqualTo("/");
        assertThat(topic.get("exchange").asText()).isEqualTo("amq.topic");
        assertThat(topic.get("write").asText()).isEqualTo("^a");
        assertThat(topic.get("read").asText()).isEqualTo(".*");
        assertThat(other.get("write").asText()).isEqualTo("{username}");
        assertThat(other.get("read").asText()).isEqualTo("");

        assertThat(exchangesOf(call("GET", "topic-permissions", null).json(), user))
                .containsExactlyInAnyOrder("amq.topic", "other");
        assertThat(exchangesOf(call("GET", "users/" + enc(user) + "/topic-permissions", null).json(), user))
                .containsExactlyInAnyOrder("amq.topic", "other");
        assertThat(exchangesOf(call("GET", "vhosts/%2F/topic-permissions", null).json(), user))
                .containsExactlyInAnyOrder("amq.topic", "other");
        assertThat(call("GET", "users/" + enc(unique("nobody")) + "/topic-permissions", null).status())
                .isEqualTo(404);
        assertThat(call("GET", "vhosts/" + enc(unique("nowhere")) + "/topic-permissions", null).status())
                .isEqualTo(404);

        Response noUser = call("PUT", "topic-permissions/%2F/" + enc(unique("nobody")),
                "{\"exchange\":\"amq.topic\",\"write\":\".*\",\"read\":\".*\"}");
        assertThat(noUser.status()).isEqualTo(400);
        assertThat(noUser.json().get("reason").asText()).isEqualTo("vhost_or_user_not_found");
        Response missing = call("PUT", path, "{\"exchange\":\"amq.topic\",\"write\":\"^a\"}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().get("reason").asText()).isEqualTo("[{key_missing,read}]");
        assertThat(call("PUT", path, "{\"write\":\"^a\",\"read\":\"x\"}").json().get("reason").asText())
                .isEqualTo("[{key_missing,exchange}]");
        assertThat(call("PUT", path, "{\"exchange\":\"amq.topic\",\"write\":\"(\",\"read\":\"x\"}").status())
                .isEqualTo(400);

        assertThat(call("DELETE", path + "/other", null).status()).isEqualTo(204);
        assertThat(exchangesOf(call("GET", path, null).json(), user)).containsExactly("amq.topic");
        assertThat(call("DELETE", path, null).status()).isEqualTo(204);
        assertThat(call("GET", path, null).status()).isEqualTo(404);
    }

    private static List<String> exchangesOf(JsonNode list, String user) {
        List<String> exchanges = new ArrayList<>();
        for (JsonNode p : list) {
            if (p.get("user").asText().equals(user)) {
                exchanges.add(p.get("exchange").asText());
            }
        }
        return exchanges;
    }

    @Test
    void deletingAUserDeletesItsTopicPermissions() throws Exception {
        String user = newUser();
        setTopicPermission(user, "amq.topic", "^a", "^a");
        assertThat(call("DELETE", "users/" + enc(user), null).status()).isEqualTo(204);
        assertThat(exchangesOf(call("GET", "topic-permissions", null).json(), user)).isEmpty();
        newUserNamed(user);
        assertThat(call("GET", "topic-permissions/%2F/" + enc(user), null).status()).isEqualTo(404);
    }

    @Test
    void deletingAVhostDeletesTheTopicPermissionsInIt() throws Exception {
        String user = newUser();
        String vhost = unique("tp.vhost");
        assertThat(call("PUT", "vhosts/" + enc(vhost), null).status()).isEqualTo(201);
        try {
            assertThat(call("PUT", "topic-permissions/" + enc(vhost) + "/" + enc(user),
                    "{\"exchange\":\"amq.topic\",\"write\":\"^a\",\"read\":\"^a\"}").status()).isEqualTo(201);
            assertThat(call("GET", "vhosts/" + enc(vhost) + "/topic-permissions", null).json()).hasSize(1);
        } finally {
            assertThat(call("DELETE", "vhosts/" + enc(vhost), null).status()).isEqualTo(204);
        }
        assertThat(call("GET", "users/" + enc(user) + "/topic-permissions", null).json()).isEmpty();
    }

    private void newUserNamed(String user) throws Exception {
        assertThat(call("PUT", "users/" + enc(user), "{\"password\":\"" + user + "\",\"tags\":\"\"}").status())
                .isEqualTo(201);
    }

    @Test
    void definitionsExportAndImportTopicPermissions() throws Exception {
        String user = newUser();
        setTopicPermission(user, "amq.topic", "^w\\\\.", "^r\\\\.");
        JsonNode exported = null;
        for (JsonNode p : call("GET", "definitions", null).json().get("topic_permissions")) {
            if (p.get("user").asText().equals(user)) {
                exported = p;
            }
        }
        assertThat(exported).isNotNull();
        assertThat(exported.get("vhost").asText()).isEqualTo("/");
        assertThat(exported.get("exchange").asText()).isEqualTo("amq.topic");
        assertThat(exported.get("write").asText()).isEqualTo("^w\\.");
        assertThat(exported.get("read").asText()).isEqualTo("^r\\.");

        assertThat(call("DELETE", "topic-permissions/%2F/" + enc(user), null).status()).isEqualTo(204);
        assertThat(call("POST", "definitions", "{\"topic_permissions\":[" + exported + "]}").status())
                .isIn(200, 201, 204);
        JsonNode imported = call("GET", "topic-permissions/%2F/" + enc(user), null).json();
        assertThat(imported).hasSize(1);
        assertThat(imported.get(0).get("write").asText()).isEqualTo("^w\\.");
        Channel ch = channelAs(user);
        publishConfirmed(ch, "amq.topic", "w.1", "x");
        assertChannelError(ch, ACCESS_REFUSED, () -> publish(ch, "amq.topic", "r.1", "x"));
    }

    @Test
    void topicPermissionsSurviveARestart() throws Exception {
        assumeFalse(broker.isExternal(), "restarts an in-process broker");
        ServerConfig config = ServerConfig.defaults().with(Settings.AMQP_PORT, 0).with(Settings.MANAGEMENT_PORT, 0)
                .with(Settings.BIND, "127.0.0.1")
                .with(Settings.DATA_DIR, dataDir);
        String user = "it.tp.durable";
        FerryServer first = FerryServer.start(config);
        try {
            assertThat(call(first.managementPort(), "PUT", "users/" + enc(user),
                    "{\"password\":\"" + user + "\",\"tags\":\"\"}").status()).isEqualTo(201);
            call(first.managementPort(), "PUT", "permissions/%2F/" + enc(user),
                    "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
            call(first.managementPort(), "PUT", "topic-permissions/%2F/" + enc(user),
                    "{\"exchange\":\"amq.topic\",\"write\":\"^kept\\\\.\",\"read\":\".*\"}");
            call(first.managementPort(), "PUT", "topic-permissions/%2F/" + enc(user),
                    "{\"exchange\":\"gone\",\"write\":\"x\",\"read\":\"x\"}");
            assertThat(call(first.managementPort(), "DELETE", "topic-permissions/%2F/" + enc(user) + "/gone", null)
                    .status()).isEqualTo(204);
        } finally {
            first.close();
        }
        FerryServer second = FerryServer.start(config);
        try {
            JsonNode after = call(second.managementPort(), "GET", "topic-permissions/%2F/" + enc(user), null).json();
            assertThat(after).hasSize(1);
            assertThat(after.get(0).get("exchange").asText()).isEqualTo("amq.topic");
            assertThat(after.get(0).get("write").asText()).isEqualTo("^kept\\.");
            ConnectionFactory factory = factory();
            factory.setPort(second.amqpPort());
            factory.setUsername(user);
            factory.setPassword(user);
            Channel ch = track(factory.newConnection()).createChannel();
            publishConfirmed(ch, "amq.topic", "kept.1", "x");
            assertThat(replyText(assertChannelError(ch, ACCESS_REFUSED, () -> publish(ch, "amq.topic", "lost", "x"))))
                    .isEqualTo(refusal("lost", "amq.topic", user));
        } finally {
            second.close();
        }
    }
}
