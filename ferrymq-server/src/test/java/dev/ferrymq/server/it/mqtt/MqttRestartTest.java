package dev.ferrymq.server.it.mqtt;

import dev.ferrymq.server.FerryServer;
import dev.ferrymq.server.config.ServerConfig;
import dev.ferrymq.server.config.Settings;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Retained messages and a persistent session's QoS 1 messages survive a broker restart. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MqttRestartTest {
    @TempDir
    Path dataDir;

    private FerryServer start() throws Exception {
        return FerryServer.start(ServerConfig.defaults().with(Settings.AMQP_PORT, 0)
                .with(Settings.MANAGEMENT_PORT, -1).with(Settings.BIND, "127.0.0.1")
                .with(Settings.DATA_DIR, dataDir).with(Settings.MQTT_PORT, 0));
    }

    private static MqttClient connect(FerryServer server, String clientId, boolean cleanSession,
                                      BlockingQueue<String> received) throws MqttException {
        MqttClient client = new MqttClient("tcp://127.0.0.1:" + server.mqttPort(), clientId, new MemoryPersistence());
        client.setCallback(AbstractMqttIT.callback(cause -> { }, (topic, message) -> received.add(topic + "="
                + new String(message.getPayload(), StandardCharsets.UTF_8) + (message.isRetained() ? " (retained)" : ""))));
        MqttConnectOptions options = new MqttConnectOptions();
        options.setUserName("guest");
        options.setPassword("guest".toCharArray());
        options.setCleanSession(cleanSession);
        client.connect(options);
        return client;
    }

    private static MqttMessage message(String text, boolean retained) {
        MqttMessage message = new MqttMessage(text.getBytes(StandardCharsets.UTF_8));
        message.setQos(1);
        message.setRetained(retained);
        return message;
    }

    @Test
    void retainedMessagesAndPersistentSessionsSurviveARestart() throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        try (FerryServer server = start()) {
            MqttClient worker = connect(server, "worker", false, received);
            worker.subscribe("jobs/#", 1);
            worker.disconnect();
            worker.close();
            MqttClient publisher = connect(server, "publisher", true, received);
            publisher.publish("config/mode", message("eco", true));
            publisher.publish("jobs/1", message("print", false)); // PUBACK: fsynced in the durable queue
            publisher.disconnect();
            publisher.close();
        }
        try (FerryServer server = start()) {
            MqttClient worker = connect(server, "worker", false, received);
            assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("jobs/1=print");
            worker.subscribe("config/+", 1);
            assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("config/mode=eco (retained)");
            worker.disconnect();
            worker.close();
        }
    }
}
