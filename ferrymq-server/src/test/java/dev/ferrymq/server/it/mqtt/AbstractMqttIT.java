package dev.ferrymq.server.it.mqtt;

import dev.ferrymq.server.config.ServerConfig;
import dev.ferrymq.server.config.Settings;
import dev.ferrymq.server.it.AbstractBrokerIT;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttMessageListener;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Base of the MQTT integration tests: the broker under test with its MQTT listener on a free port, and Eclipse
 * Paho (MQTT 3.1.1) clients that are closed after each test. Against an external broker (a RabbitMQ with
 * rabbitmq_mqtt) the MQTT port is {@code -Dferrymq.it.mqtt-port} (default 1883).
 */
public abstract class AbstractMqttIT extends AbstractBrokerIT {
    private final List<MqttClient> clients = new CopyOnWriteArrayList<>();

    @Override
    protected ServerConfig configure(ServerConfig defaults) {
        return defaults.with(Settings.MQTT_PORT, 0);
    }

    @AfterEach
    void closeMqttClients() {
        for (MqttClient client : clients) {
            try {
                if (client.isConnected()) {
                    client.disconnectForcibly(0, 1000);
                }
                client.close(true);
            } catch (MqttException ignored) {
                // already gone
            }
        }
        clients.clear();
    }

    /**
     * A unique topic level without dots: a dot inside an MQTT topic level stays inside it on the AMQP side (the
     * separators swap), so {@code unique}'s dotted names would not map to the routing keys a test expects.
     */
    protected static String level(String prefix) {
        return unique(prefix).replace('.', '-');
    }

    protected int mqttPort() {
        return broker.isExternal() ? Integer.getInteger("ferrymq.it.mqtt-port", 1883) : broker.server().mqttPort();
    }

    protected String mqttUri() {
        return "tcp://" + broker.host() + ":" + mqttPort();
    }

    /** A connected 3.1.1 client as guest/guest with a clean session. */
    protected MqttClient mqtt(String clientId) throws MqttException {
        return mqtt(clientId, options(true));
    }

    protected MqttClient mqtt(String clientId, MqttConnectOptions options) throws MqttException {
        MqttClient client = client(clientId);
        client.connect(options);
        return client;
    }

    /** A client that is not connected yet (closed after the test). */
    protected MqttClient client(String clientId) throws MqttException {
        MqttClient client = new MqttClient(mqttUri(), clientId, new MemoryPersistence());
        client.setTimeToWait(WAIT.toMillis());
        clients.add(client);
        return client;
    }

    /** A client callback from two lambdas (Paho's interface has a third method the tests do not need). */
    protected static MqttCallback callback(Consumer<Throwable> connectionLost, IMqttMessageListener messageArrived) {
        return new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                connectionLost.accept(cause);
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) throws Exception {
                messageArrived.messageArrived(topic, message);
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        };
    }

    protected static MqttConnectOptions options(boolean cleanSession) {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setUserName("guest");
        options.setPassword("guest".toCharArray());
        options.setCleanSession(cleanSession);
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout(5);
        return options;
    }
}
