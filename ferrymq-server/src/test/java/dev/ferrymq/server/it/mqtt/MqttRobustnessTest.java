package dev.ferrymq.server.it.mqtt;

import dev.ferrymq.broker.Broker;
import dev.ferrymq.broker.Users;
import dev.ferrymq.server.alarm.Alarms;
import dev.ferrymq.server.config.ServerConfig;
import dev.ferrymq.server.config.Settings;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Bad input, limits and alarms on the MQTT listener: each closes or blocks only the connection concerned, and the
 * broker goes on serving the others. Raw sockets send what no client library would.
 */
class MqttRobustnessTest extends AbstractMqttIT {
    private static final int MAX_PACKET = 64 * 1024;
    private static final String LIMITED_USER = "mqtt-limited";

    @Override
    protected ServerConfig configure(ServerConfig defaults) {
        return super.configure(defaults).with(Settings.MQTT_MAX_PACKET_SIZE, (long) MAX_PACKET)
                .with(Settings.MAX_CONNECTIONS_PER_USER, 2);
    }

    @BeforeAll
    void addLimitedUser() {
        Broker domain = broker.server().broker();
        domain.putUser(LIMITED_USER, Users.hashPassword("secret"), List.of());
        domain.setPermissions(LIMITED_USER, "/", ".*", ".*", ".*");
    }

    /** A 3.1.1 CONNECT as guest/guest with a clean session. */
    private static byte[] connectPacket(String clientId) {
        ByteArrayOutputStream variable = new ByteArrayOutputStream();
        writeString(variable, "MQTT");
        variable.write(4); // protocol level 3.1.1
        variable.write(0xC2); // user name, password, clean session
        variable.write(0);
        variable.write(60); // keep-alive
        writeString(variable, clientId);
        writeString(variable, "guest");
        writeString(variable, "guest");
        return packet(0x10, variable.toByteArray());
    }

    private static byte[] packet(int firstByte, byte[] rest) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(firstByte);
        int length = rest.length;
        do {
            int digit = length % 128;
            length /= 128;
            out.write(length > 0 ? digit | 0x80 : digit);
        } while (length > 0);
        out.writeBytes(rest);
        return out.toByteArray();
    }

    private static void writeString(ByteArrayOutputStream out, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.write(bytes.length >> 8);
        out.write(bytes.length & 0xFF);
        out.writeBytes(bytes);
    }

    private Socket rawConnected(String clientId) throws IOException {
        Socket socket = new Socket(broker.host(), mqttPort());
        socket.setSoTimeout((int) WAIT.toMillis());
        socket.getOutputStream().write(connectPacket(clientId));
        byte[] connAck = socket.getInputStream().readNBytes(4);
        assertThat(connAck).containsExactly(0x20, 0x02, 0x00, 0x00);
        return socket;
    }

    /** Reads until the broker closes the socket; fails if it does not within the wait. */
    private static void assertClosedByBroker(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        try {
            while (in.read() != -1) {
                // whatever was sent before the close
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the broker did not close the connection", e);
        } catch (IOException reset) {
            // closed with a reset: closed all the same
        }
    }

    private void assertOthersAreStillServed() throws Exception {
        String topic = level("alive");
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        mqtt(unique("other")).subscribe(topic, 1, (t, m) -> received.add(new String(m.getPayload(),
                StandardCharsets.UTF_8)));
        MqttMessage message = new MqttMessage(bytes("still here"));
        message.setQos(1);
        mqtt(unique("other-pub")).publish(topic, message);
        assertThat(received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("still here");
    }

    @Test
    void malformedPacketClosesOnlyThatConnection() throws Exception {
        try (Socket socket = rawConnected(unique("garbage"))) {
            socket.getOutputStream().write(new byte[]{0x00, 0x02, 0x01, 0x02}); // packet type 0 is reserved
            assertClosedByBroker(socket);
        }
        assertOthersAreStillServed();
    }

    @Test
    void publishWithQos3IsMalformed() throws Exception {
        try (Socket socket = rawConnected(unique("qos3"))) {
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            writeString(rest, "t");
            rest.write(0);
            rest.write(1);
            socket.getOutputStream().write(packet(0x36, rest.toByteArray())); // QoS bits 11
            assertClosedByBroker(socket);
        }
        assertOthersAreStillServed();
    }

    @Test
    void packetLargerThanTheMaximumClosesTheConnection() throws Exception {
        try (Socket socket = rawConnected(unique("big"))) {
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            writeString(rest, "t");
            rest.writeBytes(new byte[MAX_PACKET + 1]);
            socket.getOutputStream().write(packet(0x30, rest.toByteArray()));
            assertClosedByBroker(socket);
        }
        assertOthersAreStillServed();
    }

    @Test
    void packetBeforeConnectClosesTheConnection() throws Exception {
        try (Socket socket = new Socket(broker.host(), mqttPort())) {
            socket.setSoTimeout((int) WAIT.toMillis());
            socket.getOutputStream().write(new byte[]{(byte) 0xC0, 0x00}); // PINGREQ
            assertClosedByBroker(socket);
        }
    }

    @Test
    void secondConnectIsAProtocolViolation() throws Exception {
        try (Socket socket = rawConnected(unique("twice"))) {
            socket.getOutputStream().write(connectPacket(unique("again")));
            assertClosedByBroker(socket);
        }
    }

    @Test
    void connectionsBeyondTheUserLimitAreRefused() throws Exception {
        MqttConnectOptions options = options(true);
        options.setUserName(LIMITED_USER);
        options.setPassword("secret".toCharArray());
        mqtt(unique("one"), options);
        mqtt(unique("two"), options);
        MqttClient third = client(unique("three"));
        assertThatThrownBy(() -> third.connect(options)).isInstanceOf(MqttException.class)
                .extracting(e -> ((MqttException) e).getReasonCode())
                .isEqualTo((int) MqttException.REASON_CODE_BROKER_UNAVAILABLE);
    }

    @Test
    void publisherBlockedByAnAlarmIsNotReadUntilItClears() throws Exception {
        String topic = level("blocked");
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        mqtt(unique("watcher")).subscribe(topic, 1, (t, m) -> received.add(new String(m.getPayload(),
                StandardCharsets.UTF_8)));
        MqttAsyncClient publisher = new MqttAsyncClient(mqttUri(), unique("blocked-pub"), new MemoryPersistence());
        Alarms alarms = broker.server().alarms();
        try {
            publisher.connect(options(true)).waitForCompletion(WAIT.toMillis());
            alarms.setMemoryHighWatermark(1e-9); // a few bytes: always exceeded
            MqttMessage message = new MqttMessage(bytes("held back"));
            message.setQos(1);
            IMqttDeliveryToken token = publisher.publish(topic, message);

            assertThat(received.poll(500, TimeUnit.MILLISECONDS)).isNull();
            assertThat(token.isComplete()).isFalse();

            alarms.setMemoryHighWatermark(0.6);
            assertThat(received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("held back");
            token.waitForCompletion(WAIT.toMillis());
        } finally {
            alarms.setMemoryHighWatermark(0.6);
            publisher.disconnectForcibly(0, 1000);
            publisher.close(true);
        }
    }
}
