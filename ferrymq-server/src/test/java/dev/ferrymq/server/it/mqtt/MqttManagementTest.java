package dev.ferrymq.server.it.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** MQTT connections in the management API: listed with their protocol and client id, and closed through it. */
class MqttManagementTest extends AbstractMqttIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> call(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + broker.server().managementPort()
                        + path)).method(method, HttpRequest.BodyPublishers.noBody())
                .header("authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "guest:guest".getBytes(StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void mqttConnectionIsListedAndCanBeClosed() throws Exception {
        String clientId = unique("listed");
        MqttClient client = client(clientId);
        CompletableFuture<Throwable> lost = new CompletableFuture<>();
        client.setCallback(callback(lost::complete, (t, message) -> { }));
        client.connect(options(true));

        JsonNode listed = null;
        for (JsonNode connection : JSON.readTree(call("GET", "/api/connections").body())) {
            if (clientId.equals(connection.path("variable_map").path("client_id").asText())) {
                listed = connection;
            }
        }
        assertThat(listed).isNotNull();
        assertThat(listed.get("protocol").asText()).isEqualTo("MQTT 3.1.1");
        assertThat(listed.get("user").asText()).isEqualTo("guest");
        assertThat(listed.get("vhost").asText()).isEqualTo("/");

        String path = "/api/connections/" + URLEncoder.encode(listed.get("name").asText(), StandardCharsets.UTF_8)
                .replace("+", "%20");
        assertThat(call("GET", path).statusCode()).isEqualTo(200);
        assertThat(call("DELETE", path).statusCode()).isEqualTo(204);
        assertThat(lost.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isNotNull();
    }
}
