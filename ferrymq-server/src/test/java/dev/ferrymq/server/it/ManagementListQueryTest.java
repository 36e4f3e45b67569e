package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pagination, filtering, sorting and columns on the management API's lists, checked against what RabbitMQ 3.10's
 * management plugin answers (shapes, orders and error texts were taken from a real RabbitMQ). Each test works in a
 * vhost of its own, so the other tests' queues do not show.
 */
class ManagementListQueryTest extends AbstractBrokerIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Declared in this order; RabbitMQ sorts names byte-wise, so upper case comes first. */
    private static final List<String> NAMES = List.of("beta", "alpha2", "Zeta", "gamma", "Alpha");
    private static final List<String> SORTED = List.of("Alpha", "Zeta", "alpha2", "beta", "gamma");

    private final HttpClient http = HttpClient.newHttpClient();

    private record Response(int status, JsonNode json) {
    }

    private Response call(String method, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + broker.server().managementPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("content-type", "application/json")
                .header("authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "guest:guest".getBytes(StandardCharsets.UTF_8)))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(),
                response.body().isEmpty() ? null : JSON.readTree(response.body()));
    }

    private JsonNode get(String path) throws Exception {
        Response r = call("GET", path, null);
        assertThat(r.status()).as("GET " + path + " -> " + r.json()).isEqualTo(200);
        return r.json();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A new vhost (guest may use it, as its creator) holding the queues {@link #NAMES}; returns its path part. */
    private String vhostWithQueues(List<String> names) throws Exception {
        String vhost = unique("paging");
        assertThat(call("PUT", "/api/vhosts/" + enc(vhost), null).status()).isEqualTo(201);
        ConnectionFactory factory = factory();
        factory.setVirtualHost(vhost);
        try (Connection c = factory.newConnection(); Channel ch = c.createChannel()) {
            for (String name : names) {
                ch.queueDeclare(name, false, false, false, null);
            }
        }
        return enc(vhost);
    }

    private static List<String> names(JsonNode items) {
        List<String> names = new ArrayList<>();
        items.forEach(item -> names.add(item.get("name").asText()));
        return names;
    }

    @Test
    void pagedAnswerHasRabbitMqShapeAndCounts() throws Exception {
        String v = vhostWithQueues(NAMES);
        JsonNode page2 = get("/api/queues/" + v + "?page=2&page_size=2");
        assertThat(page2.fieldNames()).toIterable().containsExactlyInAnyOrder("filtered_count", "item_count",
                "items", "page", "page_count", "page_size", "total_count");
        assertThat(page2.get("total_count").asInt()).isEqualTo(5);
        assertThat(page2.get("filtered_count").asInt()).isEqualTo(5);
        assertThat(page2.get("item_count").asInt()).isEqualTo(2);
        assertThat(page2.get("page").asInt()).isEqualTo(2);
        assertThat(page2.get("page_size").asInt()).isEqualTo(2);
        assertThat(page2.get("page_count").asInt()).isEqualTo(3);
        assertThat(names(page2.get("items"))).containsExactly("alpha2", "beta");
        assertThat(names(get("/api/queues/" + v + "?page=3&page_size=2").get("items"))).containsExactly("gamma");

        JsonNode defaultSize = get("/api/queues/" + v + "?page=1");
        assertThat(defaultSize.get("page_size").asInt()).isEqualTo(100);
        assertThat(names(defaultSize.get("items"))).containsExactlyElementsOf(SORTED);
        assertThat(get("/api/queues/" + v + "?page_size=2").isArray()).as("page_size alone does not page").isTrue();
    }

    @Test
    void everyListRabbitMqPagesAnswersPagedAndTheOthersStayArrays() throws Exception {
        String v = vhostWithQueues(NAMES);
        openChannel(); // a connection and a channel to list
        for (String path : List.of("queues", "queues/" + v, "exchanges", "exchanges/" + v, "connections",
                "channels", "vhosts")) {
            JsonNode paged = get("/api/" + path + "?page=1&page_size=1");
            assertThat(paged.isObject()).as(path).isTrue();
            assertThat(paged.get("items")).as(path).hasSize(1);
            assertThat(paged.get("total_count").asInt()).as(path).isPositive();
        }
        // RabbitMQ 3.10 ignores page on these and answers the plain list
        for (String path : List.of("users", "bindings", "consumers", "policies", "permissions")) {
            assertThat(get("/api/" + path + "?page=1&page_size=1").isArray()).as(path).isTrue();
        }
    }

    @Test
    void nameFiltersBySubstringIgnoringCaseOnlyInPagedRequests() throws Exception {
        String v = vhostWithQueues(NAMES);
        JsonNode filtered = get("/api/queues/" + v + "?page=1&name=ALPHA");
        assertThat(names(filtered.get("items"))).containsExactly("Alpha", "alpha2");
        assertThat(filtered.get("filtered_count").asInt()).isEqualTo(2);
        assertThat(filtered.get("total_count").asInt()).isEqualTo(5);
        assertThat(filtered.get("page_count").asInt()).isEqualTo(1);
        assertThat(get("/api/queues/" + v + "?page=1&name=a.p").get("items")).as("not a regex").isEmpty();
        // as RabbitMQ: without page the name parameter filters nothing
        assertThat(names(get("/api/queues/" + v + "?name=ALPHA"))).containsExactlyElementsOf(SORTED);
    }

    @Test
    void useRegexMatchesNameAsCaselessRegularExpression() throws Exception {
        String v = vhostWithQueues(NAMES);
        assertThat(names(get("/api/queues/" + v + "?page=1&use_regex=true&name=" + enc("^[bz]eta$")).get("items")))
                .containsExactly("Zeta", "beta");
        assertThat(names(get("/api/queues/" + v + "?page=1&use_regex=true&name=a.p").get("items")))
                .containsExactly("Alpha", "alpha2");
        JsonNode none = get("/api/queues/" + v + "?page=1&use_regex=false&name=" + enc("^[bz]eta$"));
        assertThat(none.get("filtered_count").asInt()).isZero();
        assertThat(none.get("page_count").asInt()).isZero();
        assertThat(none.get("items")).isEmpty();
    }

    @Test
    void sortOrdersByAnyFieldIncludingNestedOnesAndSortReverseReverses() throws Exception {
        String v = vhostWithQueues(NAMES);
        int[] published = {3, 1, 0, 2, 5}; // per NAMES entry
        for (int i = 0; i < NAMES.size(); i++) {
            for (int n = 0; n < published[i]; n++) {
                call("POST", "/api/exchanges/" + v + "/amq.default/publish", "{\"properties\":{},\"routing_key\":\""
                        + NAMES.get(i) + "\",\"payload\":\"m\",\"payload_encoding\":\"string\"}");
            }
        }
        assertThat(names(get("/api/queues/" + v + "?sort=name&sort_reverse=true")))
                .containsExactly("gamma", "beta", "alpha2", "Zeta", "Alpha");
        assertThat(names(get("/api/queues/" + v + "?sort_reverse=true"))).as("reverses the default vhost, name")
                .containsExactly("gamma", "beta", "alpha2", "Zeta", "Alpha");
        assertThat(names(get("/api/queues/" + v + "?sort=message_stats.publish")))
                .containsExactly("Zeta", "alpha2", "gamma", "beta", "Alpha");
        assertThat(names(get("/api/queues/" + v + "?page=1&page_size=2&sort=messages&sort_reverse=true")
                .get("items"))).containsExactly("Alpha", "beta");
        assertThat(names(get("/api/queues/" + v + "?sort=no_such.field"))).as("missing: ties, then vhost, name")
                .containsExactlyElementsOf(SORTED);
    }

    @Test
    void columnsKeepOnlyTheListedFieldsIncludingNestedPaths() throws Exception {
        String v = vhostWithQueues(NAMES);
        call("POST", "/api/exchanges/" + v + "/amq.default/publish",
                "{\"properties\":{},\"routing_key\":\"beta\",\"payload\":\"m\",\"payload_encoding\":\"string\"}");
        JsonNode list = get("/api/queues/" + v + "?columns=name,message_stats.publish");
        assertThat(list).hasSize(5);
        JsonNode beta = list.get(3);
        assertThat(beta.fieldNames()).toIterable().containsExactlyInAnyOrder("name", "message_stats");
        assertThat(beta.get("message_stats").fieldNames()).toIterable().containsExactly("publish");
        assertThat(beta.at("/message_stats/publish").asInt()).isEqualTo(1);

        JsonNode paged = get("/api/queues/" + v + "?page=1&page_size=1&columns=name");
        assertThat(paged.get("total_count").asInt()).as("paging fields stay").isEqualTo(5);
        assertThat(paged.get("items").get(0).fieldNames()).toIterable().containsExactly("name");
        // on single objects and lists RabbitMQ does not page, too
        assertThat(get("/api/queues/" + v + "/beta?columns=name,durable").fieldNames()).toIterable()
                .containsExactlyInAnyOrder("name", "durable");
        assertThat(get("/api/users?columns=name").get(0).fieldNames()).toIterable().containsExactly("name");
    }

    @Test
    void badPagingParametersAre400WithRabbitMqErrors() throws Exception {
        String v = vhostWithQueues(NAMES);
        String base = "/api/queues/" + v + "?";
        assertError(base + "page=0", "invalid_pagination_parameters",
                "Invalid pagination parameters: page number 0, page size undefined");
        assertError(base + "page=1&page_size=1000", "invalid_pagination_parameters",
                "Invalid pagination parameters: page number 1, page size 1000");
        assertError(base + "page=1&page_size=0", "invalid_pagination_parameters",
                "Invalid pagination parameters: page number 1, page size 0");
        assertError(base + "page=x", "bad_request", "Pagination parameters are invalid");
        assertError(base + "page=1&page_size=", "bad_request", "Pagination parameters are invalid");
        assertError(base + "page=4&page_size=2", "page_out_of_range",
                "Page out of range, page: 4 page size: 2, len: 5");
        // len is the filtered length; the first of repeated parameters counts, as in RabbitMQ
        assertError(base + "page=4&name=alpha&page_size=1&page=1", "page_out_of_range",
                "Page out of range, page: 4 page size: 1, len: 2");
        assertError(base + "page=1&use_regex=true&name=" + enc("("), "bad_request",
                "Pagination parameters are invalid");
        assertThat(get(base + "page=2&page_size=5").get("items")).as("one past the end is an empty page").isEmpty();
    }

    private void assertError(String path, String error, String reason) throws Exception {
        Response r = call("GET", path, null);
        assertThat(r.status()).as(path).isEqualTo(400);
        assertThat(r.json().get("error").asText()).as(path).isEqualTo(error);
        assertThat(r.json().get("reason").asText()).as(path).isEqualTo(reason);
    }

    @Test
    void thousandsOfQueuesPageCompletelyInOrder() throws Exception {
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            many.add(String.format("q-%05d", i));
        }
        String v = vhostWithQueues(many);
        List<String> seen = new ArrayList<>();
        for (int page = 1; page <= 6; page++) {
            JsonNode answer = get("/api/queues/" + v + "?page=" + page + "&page_size=500&columns=name");
            assertThat(answer.get("page_count").asInt()).isEqualTo(6);
            seen.addAll(names(answer.get("items")));
        }
        assertThat(seen).containsExactlyElementsOf(many);
        JsonNode filtered = get("/api/queues/" + v + "?page=1&name=q-0299");
        assertThat(filtered.get("filtered_count").asInt()).isEqualTo(10);
        assertThat(filtered.get("total_count").asInt()).isEqualTo(3000);
        assertThat(names(get("/api/queues/" + v + "?page=1&page_size=3&sort_reverse=true").get("items")))
                .containsExactly("q-02999", "q-02998", "q-02997");
    }
}
