package dev.ferrymq.server.it.mqtt;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import dev.ferrymq.broker.queue.Queue;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** MQTT 5 with the Eclipse Paho MQTT 5 client: properties ↔ AMQP, session expiry, reason codes. */
class Mqtt5Test extends AbstractMqttIT {
    private final List<MqttClient> clients5 = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeMqtt5Clients() {
        for (MqttClient client : clients5) {
            try {
                if (client.isConnected()) {
                    client.disconnectForcibly(0, 1000);
                }
                client.close(true);
            } catch (MqttException ignored) {
                // already gone
            }
        }
        clients5.clear();
    }

    private MqttClient client5(String clientId) throws MqttException {
        MqttClient client = new MqttClient(mqttUri(), clientId, new MemoryPersistence());
        client.setTimeToWait(WAIT.toMillis());
        clients5.add(client);
        return client;
    }

    private static MqttConnectionOptions options5(boolean cleanStart, long sessionExpiry) {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName("guest");
        options.setPassword("guest".getBytes(StandardCharsets.UTF_8));
        options.setCleanStart(cleanStart);
        options.setSessionExpiryInterval(sessionExpiry);
        options.setConnectionTimeout(5);
        return options;
    }

    private MqttClient connected5(String clientId) throws MqttException {
        MqttClient client = client5(clientId);
        client.connect(options5(true, 0));
        return client;
    }

    private Queue brokerQueue(String name) {
        return broker.server().broker().virtualHost("/").findQueue(name);
    }

    @Test
    void userPropertiesContentTypeAndExpiryBecomeAmqpHeadersAndTtl() throws Exception {
        String topic = level("meter");
        Channel ch = openChannel();
        String queue = declareQueue(ch);
        ch.queueBind(queue, "amq.topic", topic);

        MqttMessage message = new MqttMessage(bytes("42 kWh"));
        message.setQos(1);
        MqttProperties properties = new MqttProperties();
        properties.setUserProperties(List.of(new UserProperty("meter-id", "m-7")));
        properties.setContentType("text/plain");
        properties.setMessageExpiryInterval(60L);
        message.setProperties(properties);
        connected5(unique("meter")).publish(topic, message);

        GetResponse response = null;
        for (long end = System.nanoTime() + WAIT.toNanos(); response == null && System.nanoTime() < end; ) {
            response = ch.basicGet(queue, true);
        }
        assertThat(response).isNotNull();
        AMQP.BasicProperties props = response.getProps();
        assertThat(String.valueOf(props.getHeaders().get("meter-id"))).isEqualTo("m-7");
        assertThat(props.getContentType()).isEqualTo("text/plain");
        assertThat(props.getExpiration()).isEqualTo("60000");
    }

    @Test
    void amqpStringHeadersBecomeUserProperties() throws Exception {
        String topic = level("orders");
        BlockingQueue<MqttMessage> received = new LinkedBlockingQueue<>();
        connected5(unique("sub")).subscribe(new org.eclipse.paho.mqttv5.common.MqttSubscription[]{
                new org.eclipse.paho.mqttv5.common.MqttSubscription(topic, 1)},
                new org.eclipse.paho.mqttv5.client.IMqttMessageListener[]{(t, m) -> received.add(m)});

        openChannel().basicPublish("amq.topic", topic, new AMQP.BasicProperties.Builder()
                .headers(Map.of("origin", "erp")).contentType("application/json").build(), bytes("{}"));

        MqttMessage got = received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(got).isNotNull();
        assertThat(got.getProperties().getUserProperties()).extracting(UserProperty::getKey, UserProperty::getValue)
                .contains(org.assertj.core.groups.Tuple.tuple("origin", "erp"));
        assertThat(got.getProperties().getContentType()).isEqualTo("application/json");
    }

    @Test
    void sessionExpiryKeepsTheQueueWithThatExpiry() throws Exception {
        String clientId = unique("expiring");
        MqttClient client = client5(clientId);
        client.connect(options5(false, 3600));
        client.subscribe(level("t"), 1);
        client.disconnect();

        Queue queue = brokerQueue("mqtt-subscription-" + clientId + "qos1");
        assertThat(queue).isNotNull();
        assertThat(queue.durable()).isTrue();
        assertThat(((Number) queue.arguments().get("x-expires")).longValue()).isEqualTo(3_600_000L);
    }

    @Test
    void sessionWithoutExpiryEndsWithTheConnection() throws Exception {
        String clientId = unique("short");
        MqttClient client = client5(clientId);
        client.connect(options5(false, 0));
        client.subscribe(level("t"), 1);
        assertThat(brokerQueue("mqtt-subscription-" + clientId + "qos1")).isNotNull();
        client.disconnect();
        eventually("the queue is deleted", () -> brokerQueue("mqtt-subscription-" + clientId + "qos1") == null);
    }

    @Test
    void emptyClientIdIsAssignedOne() throws Exception {
        MqttClient client = client5("");
        IMqttToken token = client.connectWithResult(options5(true, 0));
        assertThat(token.getResponseProperties().getAssignedClientIdentifier()).startsWith("ferrymq-");
    }

    @Test
    void sharedSubscriptionIsRefusedWithItsReasonCode() throws Exception {
        IMqttToken token = connected5(unique("shared")).subscribe("$share/group/" + level("t"), 1);
        assertThat(token.getReasonCodes()).containsExactly(0x9E);
    }
}
