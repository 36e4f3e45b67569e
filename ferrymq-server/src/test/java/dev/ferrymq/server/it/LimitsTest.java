package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import dev.ferrymq.server.config.ServerConfig;
import dev.ferrymq.server.config.Settings;
import dev.ferrymq.server.it.RawAmqpClient.Args;
import dev.ferrymq.server.it.RawAmqpClient.Ending;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Configured limits and their RabbitMQ replies: max message size (406 naming both sizes), channel_max (530),
 * connections per vhost and per user (530 at connection.open), total sockets (closed on accept), queues per
 * vhost (406), the handshake timeout, and repeated failed logins being slowed down.
 */
class LimitsTest extends AbstractBrokerIT {
    private static final int MAX_CONNECTIONS = 40;
    private static final int MAX_PER_VHOST = 6;
    private static final int MAX_QUEUES = 30;
    private static final int CHANNEL_MAX = 5;

    @Override
    protected ServerConfig configure(ServerConfig defaults) {
        return defaults.with(Settings.MAX_MESSAGE_SIZE, 1_000L).with(Settings.CHANNEL_MAX, CHANNEL_MAX)
                .with(Settings.MAX_CONNECTIONS, MAX_CONNECTIONS)
                .with(Settings.MAX_CONNECTIONS_PER_VHOST, MAX_PER_VHOST)
                .with(Settings.MAX_CONNECTIONS_PER_USER, MAX_PER_VHOST + 1)
                .with(Settings.MAX_QUEUES_PER_VHOST, MAX_QUEUES).with(Settings.HANDSHAKE_TIMEOUT, 1);
    }

    @Test
    void messageAboveMaxSizeIsPreconditionFailedNamingBothSizes() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        publish(ch, "", q, "x".repeat(1_000)); // exactly the limit is fine
        ShutdownSignalException sse = assertChannelError(ch, PRECONDITION_FAILED,
                () -> ch.basicPublish("", q, null, new byte[1_001]));
        assertThat(replyText(sse)).isEqualTo(
                "PRECONDITION_FAILED - message size 1001 is larger than configured max size 1000");
    }

    @Test
    void bodyFramesOfATooLargeMessageAreDroppedAndTheConnectionStaysUp() throws Exception {
        try (RawAmqpClient raw = RawAmqpClient.connect(broker.host(), broker.port(), Duration.ofSeconds(5))) {
            raw.handshake(BrokerUnderTest.USER, BrokerUnderTest.PASSWORD, 0);
            raw.openChannel(1);
            raw.writeMethod(1, 60, 40, new Args().u16(0).shortStr("").shortStr("k").u8(0));
            raw.writeFrame(RawAmqpClient.FRAME_HEADER, 1, new Args().u16(60).u16(0).u64(1_001).u16(0).bytes());
            raw.writeFrame(RawAmqpClient.FRAME_BODY, 1, new byte[1_001]); // sent before the client sees the 406
            assertThat(raw.expectMethod(20, 40).replyCode()).isEqualTo(PRECONDITION_FAILED);
            raw.writeMethod(1, 20, 41, new Args());
            raw.openChannel(2);
        }
    }

    @Test
    void openingMoreChannelsThanChannelMaxIsNotAllowed() throws Exception {
        Connection c = connect();
        assertThat(c.getChannelMax()).isEqualTo(CHANNEL_MAX);
        for (int i = 0; i < CHANNEL_MAX; i++) {
            c.createChannel();
        }
        // the Java client refuses to number a channel beyond channel_max itself, so speak raw AMQP
        try (RawAmqpClient raw = RawAmqpClient.connect(broker.host(), broker.port(), Duration.ofSeconds(5))) {
            raw.handshake(BrokerUnderTest.USER, BrokerUnderTest.PASSWORD, 0);
            for (int i = 1; i <= CHANNEL_MAX; i++) {
                raw.openChannel(i);
            }
            raw.writeMethod(CHANNEL_MAX + 1, 20, 10, new Args().shortStr(""));
            Ending end = raw.awaitEnd();
            assertThat(end.closedWithMethod()).isTrue();
            assertThat(end.close().replyCode()).as(end.close().replyText()).isEqualTo(NOT_ALLOWED);
        }
    }

    @Test
    void tuneOkAskingForMoreChannelsThanOfferedIsNotAllowed() throws Exception {
        try (RawAmqpClient raw = RawAmqpClient.connect(broker.host(), broker.port(), Duration.ofSeconds(5))) {
            raw.write(RawAmqpClient.PROTOCOL_HEADER);
            raw.expectMethod(10, 10);
            raw.writeMethod(0, 10, 11, new Args().emptyTable().shortStr("PLAIN")
                    .longStr("\0guest\0guest".getBytes(java.nio.charset.StandardCharsets.UTF_8)).shortStr("en_US"));
            raw.expectMethod(10, 30);
            raw.writeMethod(0, 10, 31, new Args().u16(CHANNEL_MAX + 1).u32(131072).u16(0));
            Ending end = raw.awaitEnd();
            assertThat(end.closedWithMethod()).isTrue();
            assertThat(end.close().replyCode()).isEqualTo(NOT_ALLOWED);
            assertThat(end.close().replyText()).contains("negotiated channel_max = " + (CHANNEL_MAX + 1)
                    + " is higher than the maximum allowed value (" + CHANNEL_MAX + ")");
        }
    }

    @Test
    void connectionsPerVhostBeyondTheLimitAreNotAllowed() throws Exception {
        for (int i = 0; i < MAX_PER_VHOST; i++) {
            connect();
        }
        assertThatThrownBy(this::connect).satisfies(e -> {
            ShutdownSignalException sse = shutdownCause(e);
            assertThat(sse).as("refused with connection.close: %s", e).isNotNull();
            assertThat(replyCode(sse)).isEqualTo(NOT_ALLOWED);
            assertThat(replyText(sse)).contains("connection limit (" + MAX_PER_VHOST + ") is reached");
        });
    }

    @Test
    void socketsBeyondMaxConnectionsAreClosedOnAccept() throws Exception {
        assumeFalse(broker.isExternal());
        eventually("connections of earlier tests are gone", () -> broker.server().connectionCount() == 0);
        List<Socket> sockets = new ArrayList<>();
        int open = 0;
        try {
            for (int i = open; i < MAX_CONNECTIONS; i++) {
                sockets.add(new Socket(broker.host(), broker.port()));
            }
            eventually("the broker counts the sockets", () -> broker.server().connectionCount() >= MAX_CONNECTIONS);
            try (RawAmqpClient extra = RawAmqpClient.connect(broker.host(), broker.port(), Duration.ofSeconds(5))) {
                assertThat(extra.readsEof()).as("one socket too many is closed").isTrue();
            }
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
        eventually("the sockets are released", () -> broker.server().connectionCount() <= open);
        connect().createChannel(); // and new clients are served again
    }

    @Test
    void queuesPerVhostBeyondTheLimitArePreconditionFailed() throws Exception {
        Channel ch = openChannel();
        int existing = ch.queueDeclarePassive(declareQueue(ch)).getConsumerCount(); // ensure one of ours exists
        assertThat(existing).isZero();
        List<String> declared = new ArrayList<>();
        ShutdownSignalException refused = null;
        for (int i = 0; i <= MAX_QUEUES && refused == null; i++) {
            String q = queueToDelete(unique("limit"));
            try {
                ch.queueDeclare(q, false, false, false, null);
                declared.add(q);
            } catch (IOException e) {
                refused = shutdownCause(e);
            }
        }
        assertThat(refused).as("a queue beyond the limit is refused").isNotNull();
        assertThat(replyCode(refused)).isEqualTo(PRECONDITION_FAILED);
        assertThat(replyText(refused)).contains("queue limit in vhost '/' (" + MAX_QUEUES + ") is reached");
        // re-declaring an existing queue is still fine at the limit
        Channel again = openChannel();
        AMQP.Queue.DeclareOk ok = again.queueDeclare(declared.get(0), false, false, false, null);
        assertThat(ok.getQueue()).isEqualTo(declared.get(0));
    }

    @Test
    void socketThatNeverCompletesTheHandshakeIsClosedAfterTheTimeout() throws Exception {
        try (RawAmqpClient c = RawAmqpClient.connect(broker.host(), broker.port(), Duration.ofSeconds(5))) {
            long start = System.nanoTime();
            c.write(RawAmqpClient.PROTOCOL_HEADER); // then nothing: no start-ok
            c.expectMethod(10, 10);
            assertThat(c.readsEof()).as("closed after the handshake timeout").isTrue();
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(elapsedMs).isBetween(900L, 4_000L);
        }
    }

    @Test
    void repeatedFailedLoginsFromOneAddressAreSlowedDown() throws Exception {
        ConnectionFactory wrong = factory();
        wrong.setPassword("wrong");
        long firstMs = 0;
        long lastMs = 0;
        for (int i = 0; i < 6; i++) {
            long start = System.nanoTime();
            assertThatThrownBy(wrong::newConnection).isInstanceOf(IOException.class);
            long ms = (System.nanoTime() - start) / 1_000_000;
            if (i == 0) {
                firstMs = ms;
            }
            lastMs = ms;
        }
        assertThat(lastMs).as("the 6th failure is delayed (first took %d ms)", firstMs).isGreaterThanOrEqualTo(350);
        // a correct password is still accepted (after its own delay-free check)
        connect().createChannel();
    }
}
