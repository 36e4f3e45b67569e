package dev.ferrymq.server.it;

import dev.ferrymq.server.config.ServerConfig;
import dev.ferrymq.server.config.Settings;
import dev.ferrymq.server.tls.TlsSettings;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** MQTT over TLS (mqtts-port) with the AMQPS certificate, and only that port open for MQTT. */
class MqttTlsTest extends AbstractBrokerIT {
    private TestCertificates certificates;
    private Path dir;

    @Override
    protected ServerConfig configure(ServerConfig defaults) {
        try {
            dir = Files.createTempDirectory("ferrymq-mqtts-");
            certificates = TestCertificates.newCa("FerryMQ MQTT test CA");
            TestCertificates.Identity server = certificates.server();
            Path cert = TestCertificates.writeCertificatePem(dir.resolve("server.pem"), server.chain());
            Path key = TestCertificates.writeKeyPem(dir.resolve("server.key"), server.key());
            return defaults.withTls(TlsSettings.pem(cert, key)).with(Settings.MQTTS_PORT, 0);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    void deleteCertificates() throws Exception {
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(dir);
    }

    @Test
    void mqttOverTlsPublishesAndSubscribes() throws Exception {
        assertThat(broker.server().mqttPort()).isEqualTo(-1);
        MqttConnectOptions options = new MqttConnectOptions();
        options.setUserName("guest");
        options.setPassword("guest".toCharArray());
        options.setSocketFactory(certificates.clientContext(null, "TLSv1.3").getSocketFactory());
        MqttClient client = new MqttClient("ssl://127.0.0.1:" + broker.server().mqttsPort(), unique("tls"),
                new MemoryPersistence());
        try {
            client.connect(options);
            BlockingQueue<String> received = new LinkedBlockingQueue<>();
            client.subscribe("secure/+", 1, (topic, message) -> received.add(topic + " " + text(message.getPayload())));
            MqttMessage message = new MqttMessage(bytes("encrypted"));
            message.setQos(1);
            client.publish("secure/channel", message);
            assertThat(received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("secure/channel encrypted");
        } finally {
            client.disconnectForcibly(0, 1000);
            client.close(true);
        }
    }
}
