package dev.ferrymq.server.it.mqtt;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import org.eclipse.paho.client.mqttv3.IMqttMessageListener;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.MqttSecurityException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** MQTT 3.1.1 with Eclipse Paho over real sockets, and across to AMQP 0-9-1 through amq.topic. */
class MqttTest extends AbstractMqttIT {

    /** Collects what a subscription receives. */
    private static final class Received implements IMqttMessageListener {
        final BlockingQueue<String> topics = new LinkedBlockingQueue<>();
        final BlockingQueue<MqttMessage> messages = new LinkedBlockingQueue<>();

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            topics.add(topic);
            messages.add(message);
        }

        MqttMessage next() throws InterruptedException {
            return messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private static MqttMessage message(String text, int qos) {
        MqttMessage message = new MqttMessage(text.getBytes(StandardCharsets.UTF_8));
        message.setQos(qos);
        return message;
    }

    @Test
    void qos1PublishReachesWildcardSubscriber() throws Exception {
        String root = level("home");
        Received received = new Received();
        mqtt(unique("sub")).subscribe(root + "/+/temperature", 1, received);
        mqtt(unique("pub")).publish(root + "/kitchen/temperature", message("21.5", 1));

        MqttMessage got = received.next();
        assertThat(got).isNotNull();
        assertThat(new String(got.getPayload(), StandardCharsets.UTF_8)).isEqualTo("21.5");
        assertThat(got.getQos()).isEqualTo(1);
        assertThat(received.topics.poll()).isEqualTo(root + "/kitchen/temperature");
    }

    @Test
    void sensorMessageReachesAmqpConsumerBoundToAmqTopic() throws Exception {
        String sensor = level("sensor");
        Channel ch = openChannel();
        String queue = declareQueue(ch);
        ch.queueBind(queue, "amq.topic", sensor + ".*.temperature");

        mqtt(unique("device")).publish(sensor + "/hall/temperature", message("19", 1));

        GetResponse response = null;
        for (long end = System.nanoTime() + WAIT.toNanos(); response == null && System.nanoTime() < end; ) {
            response = ch.basicGet(queue, true);
            if (response == null) {
                Thread.sleep(20);
            }
        }
        assertThat(response).isNotNull();
        assertThat(text(response.getBody())).isEqualTo("19");
        assertThat(response.getEnvelope().getExchange()).isEqualTo("amq.topic");
        assertThat(response.getEnvelope().getRoutingKey()).isEqualTo(sensor + ".hall.temperature");
        assertThat(response.getProps().getDeliveryMode()).isEqualTo(2);
        assertThat(response.getProps().getHeaders()).containsKey("x-mqtt-publish-qos");
        assertThat(((Number) response.getProps().getHeaders().get("x-mqtt-publish-qos")).intValue()).isEqualTo(1);
    }

    @Test
    void amqpPublishReachesMqttSubscriber() throws Exception {
        String alerts = level("alerts");
        Received received = new Received();
        mqtt(unique("dashboard")).subscribe(alerts + "/#", 1, received);

        Channel ch = openChannel();
        ch.basicPublish("amq.topic", alerts + ".fire.floor2", new AMQP.BasicProperties.Builder().deliveryMode(2)
                .build(), bytes("evacuate"));

        MqttMessage got = received.next();
        assertThat(got).isNotNull();
        assertThat(text(got.getPayload())).isEqualTo("evacuate");
        assertThat(got.getQos()).isEqualTo(1); // a persistent AMQP message is QoS 1
        assertThat(received.topics.poll()).isEqualTo(alerts + "/fire/floor2");
    }

    @Test
    void qos0SubscriptionGetsQos1MessagesAtQos0() throws Exception {
        String topic = level("t");
        Received received = new Received();
        mqtt(unique("sub")).subscribe(topic, 0, received);
        mqtt(unique("pub")).publish(topic, message("x", 1));
        MqttMessage got = received.next();
        assertThat(got).isNotNull();
        assertThat(got.getQos()).isZero();
    }

    @Test
    void burstOfAmqpMessagesAllReachAQos0Subscriber() throws Exception {
        String topic = level("burst");
        int count = 5000;
        java.util.concurrent.CountDownLatch all = new java.util.concurrent.CountDownLatch(count);
        mqtt(unique("sub")).subscribe(topic, 0, (t, m) -> all.countDown());
        Channel ch = openChannel();
        for (int i = 0; i < count; i++) {
            ch.basicPublish("amq.topic", topic, null, bytes("m" + i));
        }
        assertThat(all.await(20, TimeUnit.SECONDS)).as("all %d arrived (%d missing)", count, all.getCount())
                .isTrue();
    }

    @Test
    void qos2PublishIsRoutedExactlyOnce() throws Exception {
        String topic = level("orders");
        Channel ch = openChannel();
        String queue = declareQueue(ch);
        ch.queueBind(queue, "amq.topic", topic);

        MqttClient publisher = mqtt(unique("pub"));
        publisher.publish(topic, message("order-1", 2)); // returns after PUBCOMP

        eventually("the message is queued", () -> messageCount(ch.getConnection(), queue) == 1);
        Thread.sleep(200);
        assertThat(messageCount(ch.getConnection(), queue)).isEqualTo(1);
        if (!broker.isExternal()) { // RabbitMQ 3.10 downgrades QoS 2 publishes to QoS 1
            assertThat(((Number) ch.basicGet(queue, true).getProps().getHeaders().get("x-mqtt-publish-qos"))
                    .intValue()).isEqualTo(2);
        }
    }

    @Test
    void retainedMessageGoesToLaterSubscribersAndAnEmptyOneClearsIt() throws Exception {
        String topic = level("status") + "/door";
        MqttClient publisher = mqtt(unique("pub"));
        MqttMessage retained = message("open", 1);
        retained.setRetained(true);
        publisher.publish(topic, retained);

        Received first = new Received();
        mqtt(unique("late")).subscribe(topic, 1, first);
        MqttMessage got = first.next();
        assertThat(got).isNotNull();
        assertThat(text(got.getPayload())).isEqualTo("open");
        assertThat(got.isRetained()).isTrue();

        MqttMessage clear = message("", 1);
        clear.setRetained(true);
        publisher.publish(topic, clear);
        Received second = new Received();
        mqtt(unique("later")).subscribe(topic, 1, second);
        assertThat(second.messages.poll(500, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void retainedMessageReachesMatchingWildcardSubscriptions() throws Exception {
        assumeFalse(broker.isExternal(), "RabbitMQ 3.10 sends retained messages to exact-topic subscriptions only");
        String root = level("rooms");
        MqttMessage retained = message("22", 1);
        retained.setRetained(true);
        mqtt(unique("pub")).publish(root + "/kitchen/temperature", retained);

        Received received = new Received();
        mqtt(unique("sub")).subscribe(root + "/+/temperature", 1, received);
        MqttMessage got = received.next();
        assertThat(got).isNotNull();
        assertThat(got.isRetained()).isTrue();
        assertThat(received.topics.poll()).isEqualTo(root + "/kitchen/temperature");
    }

    @Test
    void lastWillIsPublishedWhenTheConnectionIsLost() throws Exception {
        String topic = level("wills") + "/device";
        Received received = new Received();
        mqtt(unique("watcher")).subscribe(topic, 1, received);

        MqttConnectOptions options = options(true);
        options.setWill(topic, bytes("device offline"), 1, false);
        MqttClient device = mqtt(unique("device"), options);
        device.disconnectForcibly(0, 1000, false); // the socket closes without DISCONNECT

        MqttMessage will = received.next();
        assertThat(will).isNotNull();
        assertThat(text(will.getPayload())).isEqualTo("device offline");
    }

    @Test
    void willIsDiscardedOnDisconnect() throws Exception {
        String topic = level("wills") + "/device";
        Received received = new Received();
        mqtt(unique("watcher")).subscribe(topic, 1, received);

        MqttConnectOptions options = options(true);
        options.setWill(topic, bytes("device offline"), 1, false);
        mqtt(unique("device"), options).disconnect();

        assertThat(received.messages.poll(500, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void secondConnectionWithTheSameClientIdClosesTheFirst() throws Exception {
        String clientId = unique("twin");
        MqttClient first = client(clientId);
        CompletableFuture<Throwable> lost = new CompletableFuture<>();
        first.setCallback(callback(lost::complete, (t, message) -> { }));
        first.connect(options(true));
        MqttClient second = mqtt(clientId);

        assertThat(lost.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isNotNull();
        assertThat(second.isConnected()).isTrue();
        String topic = level("after-takeover");
        Received received = new Received();
        second.subscribe(topic, 1, received);
        second.publish(topic, message("still works", 1));
        assertThat(received.next()).isNotNull();
    }

    @Test
    void persistentSessionKeepsSubscriptionAndQos1MessagesWhileOffline() throws Exception {
        String clientId = unique("durable");
        String topic = level("jobs");
        MqttClient worker = mqtt(clientId, options(false));
        worker.subscribe(topic, 1);
        worker.disconnect();
        assertThat(queueExists(connect(), "mqtt-subscription-" + clientId + "qos1")).isTrue();

        mqtt(unique("pub")).publish(topic, message("while you were away", 1));

        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        MqttClient again = client(clientId);
        again.setCallback(callback(cause -> { }, (t, message) -> received.add(text(message.getPayload()))));
        again.connect(options(false));
        assertThat(received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("while you were away");
        again.disconnect();

        mqtt(clientId, options(true)).disconnect(); // a clean session drops it
        eventually("the session's queue is deleted",
                () -> !queueExists(connect(), "mqtt-subscription-" + clientId + "qos1"));
    }

    @Test
    void unacknowledgedQos1MessageIsSentAgainToTheResumedSession() throws Exception {
        String clientId = unique("crashy");
        String topic = level("tasks");
        MqttClient worker = client(clientId);
        CompletableFuture<Throwable> lost = new CompletableFuture<>();
        worker.setCallback(callback(lost::complete, (t, message) -> {
            throw new IllegalStateException("crash before the PUBACK"); // Paho then drops the connection
        }));
        worker.connect(options(false));
        worker.subscribe(topic, 1);
        mqtt(unique("pub")).publish(topic, message("task-1", 1));
        assertThat(lost.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isNotNull();

        BlockingQueue<MqttMessage> received = new LinkedBlockingQueue<>();
        MqttClient again = client(clientId);
        again.setCallback(callback(cause -> { }, (t, message) -> received.add(message)));
        again.connect(options(false));
        MqttMessage redelivered = received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(redelivered).isNotNull();
        assertThat(text(redelivered.getPayload())).isEqualTo("task-1");
        assertThat(redelivered.isDuplicate()).isTrue();
        again.disconnect();
        mqtt(clientId, options(true)).disconnect(); // drop the session
    }

    @Test
    void cleanSessionQueueGoesWithItsConnection() throws Exception {
        String clientId = unique("transient");
        MqttClient client = mqtt(clientId);
        client.subscribe(level("t"), 1);
        assertThat(queueExists(connect(), "mqtt-subscription-" + clientId + "qos1")).isTrue();
        client.disconnect();
        eventually("the queue is deleted", () -> !queueExists(connect(), "mqtt-subscription-" + clientId + "qos1"));
    }

    @Test
    void deletingTheVhostClosesItsMqttConnections() throws Exception {
        assumeFalse(broker.isExternal(), "creates and deletes a vhost in process");
        String vhost = unique("doomed");
        broker.server().broker().addVirtualHost(vhost);
        broker.server().broker().setPermissions("guest", vhost, ".*", ".*", ".*");
        MqttConnectOptions options = options(true);
        options.setUserName(vhost + ":guest");
        MqttClient client = client(unique("tenant"));
        CompletableFuture<Throwable> lost = new CompletableFuture<>();
        client.setCallback(callback(lost::complete, (t, message) -> { }));
        client.connect(options);

        broker.server().broker().deleteVirtualHost(vhost);
        assertThat(lost.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isNotNull();
    }

    @Test
    void topicPermissionsApplyToPublishesAndSubscriptions() throws Exception {
        assumeFalse(broker.isExternal(), "sets topic permissions in process");
        String vhost = unique("tenant");
        broker.server().broker().addVirtualHost(vhost);
        broker.server().broker().setPermissions("guest", vhost, ".*", ".*", ".*");
        broker.server().broker().setTopicPermission("guest", vhost, "amq.topic", "^sensors\\.", "^sensors\\.");
        MqttConnectOptions options = options(true);
        options.setUserName(vhost + ":guest");

        MqttClient client = mqtt(unique("limited"), options);
        int granted;
        try {
            granted = client.subscribeWithResponse("alarms/#", 1).getGrantedQos()[0];
        } catch (MqttException e) {
            granted = e.getReasonCode();
        }
        assertThat(granted).isEqualTo(0x80);
        Received received = new Received();
        client.subscribe("sensors/#", 1, received);
        client.publish("sensors/door", message("open", 1));
        assertThat(received.next()).isNotNull();

        CompletableFuture<Throwable> lost = new CompletableFuture<>();
        client.setCallback(callback(lost::complete, (t, message) -> { }));
        client.publish("alarms/fire", message("not allowed", 0)); // MQTT 3.1.1 cannot refuse it: closed
        assertThat(lost.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isNotNull();
        broker.server().broker().deleteVirtualHost(vhost);
    }

    @Test
    void wrongPasswordIsRefused() throws Exception {
        MqttConnectOptions options = options(true);
        options.setPassword("wrong".toCharArray());
        MqttClient client = client(unique("intruder"));
        assertThatThrownBy(() -> client.connect(options)).isInstanceOf(MqttSecurityException.class)
                .extracting(e -> ((MqttException) e).getReasonCode())
                .isEqualTo((int) MqttException.REASON_CODE_FAILED_AUTHENTICATION);
    }

    @Test
    void unknownVhostIsRefusedAsBadCredentials() throws Exception { // RabbitMQ 3.10 answers 4 too
        MqttConnectOptions options = options(true);
        options.setUserName("no-such-vhost:guest");
        MqttClient client = client(unique("lost"));
        assertThatThrownBy(() -> client.connect(options)).isInstanceOf(MqttSecurityException.class)
                .extracting(e -> ((MqttException) e).getReasonCode())
                .isEqualTo((int) MqttException.REASON_CODE_FAILED_AUTHENTICATION);
    }
}
