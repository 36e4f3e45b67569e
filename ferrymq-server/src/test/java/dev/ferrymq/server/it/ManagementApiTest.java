package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The management HTTP API, driven with real HTTP requests, checked for RabbitMQ's paths, fields and errors. */
class ManagementApiTest extends AbstractBrokerIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    private record Response(int status, JsonNode json, String text) {
    }

    private Response call(String method, String path, String body, String user, String password) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + broker.server().managementPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("content-type", "application/json");
        if (user != null) {
            request.header("authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = response.body().isEmpty() || !response.headers().firstValue("content-type").orElse("")
                .startsWith("application/json") ? null : JSON.readTree(response.body());
        return new Response(response.statusCode(), json, response.body());
    }

    private Response call(String method, String path, String body) throws Exception {
        return call(method, path, body, "guest", "guest");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Test
    void requestsWithoutValidCredentialsGet401AsJson() throws Exception {
        Response none = call("GET", "/api/overview", null, null, null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.json().get("error").asText()).isEqualTo("not_authorised");
        assertThat(call("GET", "/api/overview", null, "guest", "wrong").status()).isEqualTo(401);
        HttpResponse<String> fromScript = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + broker.server().managementPort() + "/api/overview")).header("X-Requested-With", "XMLHttpRequest")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(fromScript.statusCode()).isEqualTo(401);
        assertThat(fromScript.headers().firstValue("www-authenticate")).as("no browser login dialog").isEmpty();
    }

    @Test
    void overviewHasRabbitMqFields() throws Exception {
        Response r = call("GET", "/api/overview", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().fieldNames()).toIterable().contains("rabbitmq_version", "management_version",
                "message_stats", "queue_totals", "object_totals", "listeners", "node");
        assertThat(r.json().at("/listeners/0/port").asInt()).isEqualTo(broker.port());
        assertThat(call("GET", "/api/healthchecks/node", null).json().get("status").asText()).isEqualTo("ok");
        assertThat(call("GET", "/api/health/checks/alarms", null).json().get("status").asText()).isEqualTo("ok");
        assertThat(call("GET", "/api/whoami", null).json().get("tags").get(0).asText()).isEqualTo("administrator");
    }

    @Test
    void queueLifecycleDeclarePublishGetPurgeDelete() throws Exception {
        String q = unique("http.q");
        String path = "/api/queues/%2F/" + enc(q);
        assertThat(call("PUT", path, "{\"durable\":true,\"arguments\":{\"x-max-length\":10}}").status())
                .isEqualTo(201);
        assertThat(call("PUT", path, "{\"durable\":true,\"arguments\":{\"x-max-length\":10}}").status())
                .isEqualTo(204);
        assertThat(queueExists(connect(), q)).isTrue();

        Response published = call("POST", "/api/exchanges/%2F/amq.default/publish",
                "{\"properties\":{\"delivery_mode\":2,\"headers\":{\"h\":\"v\"}},\"routing_key\":\"" + q
                        + "\",\"payload\":\"hello\",\"payload_encoding\":\"string\"}");
        assertThat(published.json().get("routed").asBoolean()).isTrue();
        call("POST", "/api/exchanges/%2F/amq.default/publish",
                "{\"properties\":{},\"routing_key\":\"" + q + "\",\"payload\":\"second\",\"payload_encoding\":\"string\"}");

        JsonNode queue = call("GET", path, null).json();
        assertThat(queue.get("name").asText()).isEqualTo(q);
        assertThat(queue.get("vhost").asText()).isEqualTo("/");
        assertThat(queue.get("durable").asBoolean()).isTrue();
        assertThat(queue.get("messages").asInt()).isEqualTo(2);
        assertThat(queue.get("messages_ready").asInt()).isEqualTo(2);
        assertThat(queue.get("arguments").get("x-max-length").asInt()).isEqualTo(10);
        assertThat(queue.at("/message_stats/publish").asLong()).isEqualTo(2);
        assertThat(queue.fieldNames()).toIterable().contains("auto_delete", "exclusive", "messages_unacknowledged",
                "consumers", "memory");

        Response got = call("POST", path + "/get", "{\"count\":1,\"ackmode\":\"ack_requeue_true\",\"encoding\":\"auto\"}");
        assertThat(got.json().get(0).get("payload").asText()).isEqualTo("hello");
        assertThat(got.json().get(0).at("/properties/headers/h").asText()).isEqualTo("v");
        assertThat(got.json().get(0).get("message_count").asInt()).isEqualTo(1);
        assertThat(call("GET", path, null).json().get("messages").asInt()).isEqualTo(2); // requeued

        Response taken = call("POST", path + "/get", "{\"count\":5,\"ackmode\":\"ack_requeue_false\"}");
        assertThat(taken.json()).hasSize(2);
        assertThat(taken.json().get(0).get("redelivered").asBoolean()).isTrue();
        assertThat(call("GET", path, null).json().get("messages").asInt()).isZero();

        publishConfirmed(openChannel(), "", q, "x", "y");
        assertThat(call("DELETE", path + "/contents", null).status()).isEqualTo(204);
        assertThat(messageCount(connect(), q)).isZero();
        assertThat(call("DELETE", path, null).status()).isEqualTo(204);
        assertThat(call("GET", path, null).status()).isEqualTo(404);
    }

    @Test
    void httpPublishedMessageWithExpirationExpires() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        Response published = call("POST", "/api/exchanges/%2F/amq.default/publish",
                "{\"properties\":{\"expiration\":\"50\"},\"routing_key\":\"" + q
                        + "\",\"payload\":\"short-lived\",\"payload_encoding\":\"string\"}");
        assertThat(published.json().get("routed").asBoolean()).isTrue();
        Thread.sleep(300);
        assertThat(ch.basicGet(q, true)).as("expired 50 ms after it was published").isNull();
    }

    @Test
    void transactionalPublishesCountAsPublishedAtCommit() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        long before = call("GET", "/api/overview", null).json().at("/message_stats/publish").asLong();
        ch.txSelect();
        for (int i = 0; i < 3; i++) {
            ch.basicPublish("", q, null, "tx".getBytes(StandardCharsets.UTF_8));
        }
        ch.txCommit();
        ch.basicPublish("", q, null, "rolled back".getBytes(StandardCharsets.UTF_8));
        ch.txRollback();
        assertThat(call("GET", "/api/overview", null).json().at("/message_stats/publish").asLong() - before)
                .as("the three committed publishes, not the rolled-back one").isEqualTo(3);
        assertThat(call("GET", "/api/queues/%2F/" + enc(q), null).json().at("/message_stats/publish").asLong())
                .isEqualTo(3);
    }

    @Test
    void errorsAreJsonWithRabbitMqStatusCodes() throws Exception {
        Response notFound = call("GET", "/api/queues/%2F/no-such-queue", null);
        assertThat(notFound.status()).isEqualTo(404);
        assertThat(notFound.json().get("error").asText()).isEqualTo("Object Not Found");
        assertThat(call("GET", "/api/no-such-thing", null).status()).isEqualTo(404);
        Response badJson = call("PUT", "/api/queues/%2F/" + unique("q"), "{not json");
        assertThat(badJson.status()).isEqualTo(400);
        assertThat(badJson.json().get("error").asText()).isEqualTo("bad_request");
        Response wrongMethod = call("POST", "/api/overview", "{}");
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.json().has("reason")).isTrue();
        String q = declareQueue(openChannel());
        Response inequivalent = call("PUT", "/api/queues/%2F/" + enc(q), "{\"durable\":true}");
        assertThat(inequivalent.status()).isEqualTo(400);
        assertThat(inequivalent.json().get("reason").asText()).contains("inequivalent arg 'durable'");
    }

    @Test
    void exchangesAndBindings() throws Exception {
        String x = exchangeToDelete(unique("http.x"));
        String q = declareQueue(openChannel());
        assertThat(call("PUT", "/api/exchanges/%2F/" + enc(x), "{\"type\":\"topic\",\"durable\":false}").status())
                .isEqualTo(201);
        JsonNode exchange = call("GET", "/api/exchanges/%2F/" + enc(x), null).json();
        assertThat(exchange.get("type").asText()).isEqualTo("topic");
        List<String> names = new ArrayList<>();
        call("GET", "/api/exchanges/%2F", null).json().forEach(e -> names.add(e.get("name").asText()));
        assertThat(names).contains("", "amq.direct", x);

        String bindingPath = "/api/bindings/%2F/e/" + enc(x) + "/q/" + enc(q);
        assertThat(call("POST", bindingPath, "{\"routing_key\":\"a.*\",\"arguments\":{}}").status()).isEqualTo(201);
        JsonNode bindings = call("GET", bindingPath, null).json();
        assertThat(bindings).hasSize(1);
        assertThat(bindings.get(0).get("routing_key").asText()).isEqualTo("a.*");
        assertThat(bindings.get(0).get("destination_type").asText()).isEqualTo("queue");
        assertThat(call("POST", "/api/exchanges/%2F/" + enc(x) + "/publish",
                "{\"properties\":{},\"routing_key\":\"a.b\",\"payload\":\"routed\",\"payload_encoding\":\"string\"}")
                .json().get("routed").asBoolean()).isTrue();
        assertThat(getText(openChannel(), q)).isEqualTo("routed");

        String props = bindings.get(0).get("properties_key").asText();
        assertThat(call("DELETE", bindingPath + "/" + enc(props), null).status()).isEqualTo(204);
        assertThat(call("GET", bindingPath, null).json()).isEmpty();
        assertThat(call("DELETE", "/api/exchanges/%2F/" + enc(x), null).status()).isEqualTo(204);
        assertThat(exchangeExists(connect(), x)).isFalse();
    }

    @Test
    void usersVhostsAndPermissionsWithTagEnforcement() throws Exception {
        String vhost = unique("vh");
        assertThat(call("PUT", "/api/vhosts/" + enc(vhost), null).status()).isEqualTo(201);
        assertThat(call("PUT", "/api/users/watcher", "{\"password\":\"pw\",\"tags\":\"monitoring\"}").status())
                .isIn(201, 204);
        assertThat(call("PUT", "/api/users/plain", "{\"password\":\"pw\",\"tags\":\"\"}").status()).isIn(201, 204);
        assertThat(call("PUT", "/api/permissions/" + enc(vhost) + "/watcher",
                "{\"configure\":\"\",\"write\":\"\",\"read\":\".*\"}").status()).isEqualTo(201);

        JsonNode users = call("GET", "/api/users", null).json();
        JsonNode watcher = null;
        for (JsonNode u : users) {
            if (u.get("name").asText().equals("watcher")) {
                watcher = u;
            }
        }
        assertThat(watcher.get("hashing_algorithm").asText()).isEqualTo("rabbit_password_hashing_sha256");
        assertThat(watcher.get("tags").get(0).asText()).isEqualTo("monitoring");

        // monitoring sees everything but changes nothing
        assertThat(call("GET", "/api/queues", null, "watcher", "pw").status()).isEqualTo(200);
        assertThat(call("GET", "/api/vhosts/" + enc(vhost), null, "watcher", "pw").status()).isEqualTo(200);
        Response refused = call("PUT", "/api/vhosts/other", null, "watcher", "pw");
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.json().get("reason").asText()).isEqualTo("Not administrator user");
        assertThat(call("GET", "/api/users", null, "watcher", "pw").status()).isEqualTo(401);
        Response noWrite = call("PUT", "/api/queues/" + enc(vhost) + "/q1", "{}", "watcher", "pw");
        assertThat(noWrite.status()).isEqualTo(401);
        // no management tag: no API at all
        assertThat(call("GET", "/api/overview", null, "plain", "pw").json().get("reason").asText())
                .isEqualTo("Not management user");

        JsonNode permission = call("GET", "/api/permissions/" + enc(vhost) + "/watcher", null).json();
        assertThat(permission.get("read").asText()).isEqualTo(".*");
        assertThat(call("DELETE", "/api/permissions/" + enc(vhost) + "/watcher", null).status()).isEqualTo(204);
        assertThat(call("DELETE", "/api/users/watcher", null).status()).isEqualTo(204);
        assertThat(call("DELETE", "/api/users/plain", null).status()).isEqualTo(204);
        assertThat(call("DELETE", "/api/vhosts/" + enc(vhost), null).status()).isEqualTo(204);
        assertThat(call("GET", "/api/vhosts/" + enc(vhost), null).status()).isEqualTo(404);
    }

    @Test
    void definitionsRoundTripInRabbitMqFormat() throws Exception {
        String vhost = unique("defs");
        String rabbitExport = """
                {"rabbit_version":"3.13.7","users":[{"name":"imported","password_hash":"%s",
                 "hashing_algorithm":"rabbit_password_hashing_sha256","tags":["management"],"limits":{}}],
                 "vhosts":[{"name":"%s","limits":[],"metadata":{"description":"","tags":[]}}],
                 "permissions":[{"user":"imported","vhost":"%s","configure":".*","write":".*","read":".*"}],
                 "topic_permissions":[],"parameters":[],"global_parameters":[],"policies":[],
                 "queues":[{"name":"orders","vhost":"%s","durable":true,"auto_delete":false,
                            "arguments":{"x-queue-type":"classic"}}],
                 "exchanges":[{"name":"ex","vhost":"%s","type":"fanout","durable":true,"auto_delete":false,
                               "internal":false,"arguments":{}}],
                 "bindings":[{"source":"ex","vhost":"%s","destination":"orders","destination_type":"queue",
                              "routing_key":"","arguments":{}}]}
                """.formatted(rabbitMqHashOf("secret"), vhost, vhost, vhost, vhost, vhost);
        assertThat(call("POST", "/api/definitions", rabbitExport).status()).isEqualTo(204);

        // the imported user logs in over AMQP with the password behind the RabbitMQ hash
        var factory = factory();
        factory.setUsername("imported");
        factory.setPassword("secret");
        factory.setVirtualHost(vhost);
        Channel ch = track(factory.newConnection()).createChannel();
        publishConfirmed(ch, "ex", "", "via-fanout");
        assertThat(ch.queueDeclarePassive("orders").getMessageCount()).isEqualTo(1);

        JsonNode exported = call("GET", "/api/definitions", null).json();
        assertThat(exported.fieldNames()).toIterable().contains("rabbit_version", "users", "vhosts", "permissions",
                "queues", "exchanges", "bindings");
        assertThat(exported.get("queues").toString()).contains("\"name\":\"orders\"");
        assertThat(exported.get("bindings").toString()).contains("\"source\":\"ex\"");
        assertThat(exported.get("users").toString()).contains(rabbitMqHashOf("secret").substring(0, 8));

        // re-importing the export into a clean broker state restores it
        call("DELETE", "/api/vhosts/" + enc(vhost), null);
        call("DELETE", "/api/users/imported", null);
        assertThat(call("POST", "/api/definitions", exported.toString()).status()).isEqualTo(204);
        assertThat(call("GET", "/api/queues/" + enc(vhost) + "/orders", null).status()).isEqualTo(200);
        assertThat(call("GET", "/api/bindings/" + enc(vhost) + "/e/ex/q/orders", null).json()).hasSize(1);
        call("DELETE", "/api/vhosts/" + enc(vhost), null);
        call("DELETE", "/api/users/imported", null);
    }

    /** A fixed-salt hash in RabbitMQ's format, as a definitions file from RabbitMQ would carry it. */
    private static String rabbitMqHashOf(String password) throws Exception {
        byte[] salt = {1, 2, 3, 4};
        var sha = java.security.MessageDigest.getInstance("SHA-256");
        sha.update(salt);
        byte[] digest = sha.digest(password.getBytes(StandardCharsets.UTF_8));
        byte[] all = new byte[36];
        System.arraycopy(salt, 0, all, 0, 4);
        System.arraycopy(digest, 0, all, 4, 32);
        return Base64.getEncoder().encodeToString(all);
    }

    @Test
    void connectionsChannelsConsumersAndForcedClose() throws Exception {
        String clientName = unique("conn");
        Connection c = track(factory().newConnection(clientName));
        Channel ch = c.createChannel();
        String q = declareQueue(ch);
        ch.basicConsume(q, false, "ctag-http", (t, d) -> { }, t -> { });
        CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
        c.addShutdownListener(closed::complete);

        String name = null;
        for (JsonNode conn : call("GET", "/api/connections", null).json()) {
            if (conn.at("/client_properties/connection_name").asText().equals(clientName)) {
                name = conn.get("name").asText();
                assertThat(conn.get("user").asText()).isEqualTo("guest");
                assertThat(conn.get("vhost").asText()).isEqualTo("/");
                assertThat(conn.get("channels").asInt()).isEqualTo(1);
                assertThat(conn.at("/client_properties/product").asText()).contains("RabbitMQ");
            }
        }
        assertThat(name).isNotNull();
        assertThat(call("GET", "/api/channels", null).json().toString()).contains(name + " (1)");
        assertThat(call("GET", "/api/consumers", null).json().toString()).contains("ctag-http");

        assertThat(call("DELETE", "/api/connections/" + enc(name), null).status()).isEqualTo(204);
        assertThat(replyCode(closed.get(5, TimeUnit.SECONDS))).isEqualTo(CONNECTION_FORCED);
    }

    @Test
    void prometheusMetricsUseConventionalNames() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        publishConfirmed(ch, "", q, "m1", "m2");
        Response r = call("GET", "/metrics", null, null, null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).contains("# TYPE ferrymq_queue_messages_ready gauge")
                .contains("ferrymq_queue_messages_ready{vhost=\"/\",queue=\"" + q + "\"} 2")
                .contains("ferrymq_queue_published_total{vhost=\"/\",queue=\"" + q + "\"} 2")
                .contains("# TYPE ferrymq_published_total counter")
                .contains("ferrymq_connections ")
                .contains("ferrymq_received_bytes_total ")
                .contains("jvm_memory_heap_used_bytes ")
                .contains("# TYPE ferrymq_store_fsync_seconds histogram")
                .contains("ferrymq_store_fsync_seconds_bucket{le=\"+Inf\"} ")
                .contains("ferrymq_store_fsync_seconds_count ");
    }

    @Test
    void aSingleNodeListsItselfAndRefusesMembershipChanges() throws Exception {
        JsonNode nodes = call("GET", "/api/nodes", null).json();
        assertThat(nodes).hasSize(1);
        String name = nodes.get(0).get("name").asText();
        assertThat(name).isEqualTo(broker.server().config().nodeName()).startsWith("ferrymq@");
        assertThat(nodes.get(0).get("running").asBoolean()).isTrue();
        assertThat(call("GET", "/api/nodes/" + enc(name), null).json().get("type").asText()).isEqualTo("disc");
        assertThat(call("GET", "/api/overview", null).json().get("node").asText()).isEqualTo(name);
        assertThat(call("GET", "/api/nodes/nosuch", null).status()).isEqualTo(404);

        Response add = call("PUT", "/api/nodes/n2", "{\"address\":\"127.0.0.1:7802\"}");
        assertThat(add.status()).isEqualTo(400);
        assertThat(add.json().get("reason").asText()).contains("not clustered");
        assertThat(call("DELETE", "/api/nodes/n2", null).status()).isEqualTo(400);
    }

    @Test
    void alarmsShowInTheHealthCheckNodesAndMetrics() throws Exception {
        var alarms = broker.server().alarms();
        assertThat(call("GET", "/api/health/checks/alarms", null).status()).isEqualTo(200);
        alarms.setDiskFreeLimit(Long.MAX_VALUE); // no disk has that much free space
        try {
            Response check = call("GET", "/api/health/checks/alarms", null);
            assertThat(check.status()).isEqualTo(503);
            assertThat(check.json().get("reason").asText()).contains("disk");
            assertThat(call("GET", "/api/nodes", null).json().get(0).get("disk_free_alarm").asBoolean()).isTrue();
            assertThat(call("GET", "/metrics", null, null, null).text()).contains("ferrymq_alarm_disk 1");
        } finally {
            alarms.setDiskFreeLimit(50L * 1024 * 1024);
        }
        assertThat(call("GET", "/api/health/checks/alarms", null).status()).isEqualTo(200);
        assertThat(call("GET", "/metrics", null, null, null).text()).contains("ferrymq_alarm_disk 0");
    }

    @Test
    void webUiIsServedFromTheJar() throws Exception {
        Response index = call("GET", "/", null, null, null);
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.text()).contains("<title>FerryMQ</title>").contains("app.js");
        assertThat(call("GET", "/app.js", null, null, null).text()).contains("/api/");
        assertThat(call("GET", "/../pom.xml", null, null, null).status()).isEqualTo(404);
    }
}
