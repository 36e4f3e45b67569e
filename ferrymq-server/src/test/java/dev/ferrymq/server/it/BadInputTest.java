package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.rabbitmq.client.Channel;
import dev.ferrymq.server.it.RawAmqpClient.Args;
import dev.ferrymq.server.it.RawAmqpClient.Ending;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Socket-level bad input not covered by {@link RawSocketTest}: noise, truncated frames, content out of order,
 * clients that stop reading, and a storm of connections opened and dropped while a well-behaved publisher with
 * confirms keeps working and loses nothing.
 */
class BadInputTest extends AbstractRawSocketIT {


    @Test
    void randomBytesInsteadOfAHeaderEndTheConnection() throws Exception {
        Random random = new Random(7);
        for (int i = 0; i < 20; i++) {
            byte[] noise = new byte[1 + random.nextInt(4096)];
            random.nextBytes(noise);
            noise[0] = (byte) ('B' + random.nextInt(20)); // never a valid "AMQP" start
            try (RawAmqpClient c = raw()) {
                try {
                    c.write(noise);
                } catch (IOException closedWhileWriting) {
                    // the broker may close as soon as the first byte is wrong
                }
                byte[] reply = c.readUpTo(8);
                assertThat(reply).as("nothing but the supported protocol header")
                        .isIn(RawAmqpClient.PROTOCOL_HEADER, new byte[0]);
                assertThat(c.readsEof()).as("socket closed after noise #%d", i).isTrue();
            }
        }
    }

    @Test
    void randomFramesAfterOpenGetAConnectionErrorOrClose() throws Exception {
        Random random = new Random(11);
        for (int i = 0; i < 20; i++) {
            try (RawAmqpClient c = raw()) {
                c.handshake(BrokerUnderTest.USER, BrokerUnderTest.PASSWORD, 0);
                byte[] noise = new byte[64 + random.nextInt(1024)];
                random.nextBytes(noise);
                try {
                    c.write(noise);
                } catch (IOException closedWhileWriting) {
                    // fine: what the broker sent before closing is still readable
                }
                Ending end = c.awaitEnd();
                assertThat(end.eof()).as("socket closed after random frame bytes #%d", i).isTrue();
                if (end.closedWithMethod()) {
                    assertThat(end.close().replyCode()).as(end.close().replyText())
                            .isIn(FRAME_ERROR, SYNTAX_ERROR, COMMAND_INVALID, CHANNEL_ERROR, UNEXPECTED_FRAME,
                                    NOT_IMPLEMENTED, NOT_ALLOWED);
                }
            }
        }
    }

    @Test
    void truncatedFrameFollowedBySilenceIsEndedByTheHeartbeatTimeout() throws Exception {
        try (RawAmqpClient c = raw()) {
            c.handshake(BrokerUnderTest.USER, BrokerUnderTest.PASSWORD, 1);
            // the first 9 bytes of a 20-byte channel.open frame, then nothing
            c.write(new byte[] {1, 0, 1, 0, 0, 0, 20, 0, 20});
            Ending end = c.awaitEnd();
            assertThat(end.eof()).as("a half frame does not keep the connection alive").isTrue();
        }
    }

    @Test
    void truncatedFrameThenDisconnectReleasesTheConnection() throws Exception {
        assumeFalse(broker.isExternal());
        int before = broker.server().connectionCount();
        try (RawAmqpClient c = raw()) {
            c.handshake(BrokerUnderTest.USER, BrokerUnderTest.PASSWORD, 0);
            c.openChannel(1);
            c.writeMethod(1, 60, 40, new Args().u16(0).shortStr("").shortStr("q").u8(0));
            c.write(new byte[] {2, 0, 1, 0, 0, 0, 14, 0, 60}); // half a content header
        }
        eventually("the broker forgot the dropped connection",
                () -> broker.server().connectionCount() <= before);
    }

    @Test
    void contentBodyWithoutHeaderIsUnexpectedFrame() throws Exception {
        try (RawAmqpClient c = raw()) {
            c.handshake(BrokerUnderTest.USER, BrokerUnderTest.PASSWORD, 0);
            c.openChannel(1);
            c.writeMethod(1, 60, 40, new Args().u16(0).shortStr("").shortStr(unique("nowhere")).u8(0));
            c.writeFrame(RawAmqpClient.FRAME_BODY, 1, new byte[] {1, 2, 3});
            Ending end = c.awaitEnd();
            assertThat(end.closedWithMethod()).as("connection.close sent").isTrue();
            assertThat(end.close().replyCode()).as(end.close().replyText()).isEqualTo(UNEXPECTED_FRAME);
            assertThat(end.eof()).isTrue();
        }
    }

    @Test
    void contentBodyWithoutAnyMethodIsUnexpectedFrame() throws Exception {
        try (RawAmqpClient c = raw()) {
            c.handshake(BrokerUnderTest.USER, BrokerUnderTest.PASSWORD, 0);
            c.openChannel(1);
            c.writeFrame(RawAmqpClient.FRAME_BODY, 1, new byte[] {1, 2, 3});
            Ending end = c.awaitEnd();
            assertThat(end.closedWithMethod()).as("connection.close sent").isTrue();
            assertThat(end.close().replyCode()).as(end.close().replyText()).isEqualTo(UNEXPECTED_FRAME);
        }
    }

    @Test
    void methodInsteadOfContentHeaderIsUnexpectedFrame() throws Exception {
        try (RawAmqpClient c = raw()) {
            c.handshake(BrokerUnderTest.USER, BrokerUnderTest.PASSWORD, 0);
            c.openChannel(1);
            c.writeMethod(1, 60, 40, new Args().u16(0).shortStr("").shortStr(unique("nowhere")).u8(0));
            c.writeMethod(1, 60, 40, new Args().u16(0).shortStr("").shortStr(unique("nowhere")).u8(0));
            Ending end = c.awaitEnd();
            assertThat(end.closedWithMethod()).as("connection.close sent").isTrue();
            assertThat(end.close().replyCode()).as(end.close().replyText()).isEqualTo(UNEXPECTED_FRAME);
        }
    }

    @Test
    void methodOnChannelZeroOtherThanConnectionClassIsChannelErrorAsInRabbitMq() throws Exception {
        try (RawAmqpClient c = raw()) {
            c.handshake(BrokerUnderTest.USER, BrokerUnderTest.PASSWORD, 0);
            c.writeMethod(0, 50, 10, new Args().u16(0).shortStr("").u8(0).emptyTable()); // queue.declare on 0
            Ending end = c.awaitEnd();
            assertThat(end.closedWithMethod()).as("connection.close sent").isTrue();
            assertThat(end.close().replyCode()).as(end.close().replyText()).isEqualTo(CHANNEL_ERROR);
            assertThat(end.close().replyText())
                    .isEqualTo("CHANNEL_ERROR - unexpected method in connection state running");
        }
    }

    /**
     * A consumer that never reads its socket: the broker stops writing to it once Netty's buffer is above its
     * high-water mark, so the broker holds the backlog in the queue rather than in an unbounded socket buffer;
     * when the consumer goes away its unacknowledged deliveries return to the queue, none lost.
     */
    @Test
    void consumerThatStopsReadingKeepsBrokerBuffersBoundedAndLosesNothing() throws Exception {
        assumeFalse(broker.isExternal());
        Channel publisher = openChannel();
        String queue = declareQueue(publisher);
        int messages = 1_500;
        byte[] body = new byte[16 * 1024]; // 24 MB in total
        long bufferedPeak = 0;
        try (RawAmqpClient stalled = raw()) {
            stalled.handshake(BrokerUnderTest.USER, BrokerUnderTest.PASSWORD, 0);
            stalled.openChannel(1);
            // basic.consume, no-ack=false, then never read again
            stalled.writeMethod(1, 60, 20, new Args().u16(0).shortStr(queue).shortStr("stalled").u8(0).emptyTable());
            stalled.expectMethod(60, 21);
            publisher.confirmSelect();
            for (int i = 0; i < messages; i++) {
                publisher.basicPublish("", queue, null, body);
                if (i % 100 == 99) {
                    publisher.waitForConfirmsOrDie(WAIT.toMillis());
                    bufferedPeak = Math.max(bufferedPeak, broker.server().outboundBufferedBytes());
                }
            }
            publisher.waitForConfirmsOrDie(WAIT.toMillis());
            Thread.sleep(200);
            bufferedPeak = Math.max(bufferedPeak, broker.server().outboundBufferedBytes());
        }
        assertThat(bufferedPeak).as("bytes buffered for a client that does not read (of %d published)",
                (long) messages * body.length).isLessThan(6L * 1024 * 1024);
        eventually("every confirmed message is back in the queue",
                () -> publisher.queueDeclarePassive(queue).getMessageCount() == messages);
    }

    /**
     * A thousand sockets that connect and drop at every stage of the handshake, while a publisher with confirms
     * keeps going: every confirmed message must be in its queue and the broker must forget every dropped socket.
     */
    @Test
    void thousandConnectionsOpenedAndDroppedWhileAPublisherIsServed() throws Exception {
        Channel publisher = openChannel();
        String queue = declareQueue(publisher);
        publisher.confirmSelect();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger confirmed = new AtomicInteger();
        CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> {
            try {
                while (!stop.get()) {
                    for (int i = 0; i < 20; i++) {
                        publisher.basicPublish("", queue, null, bytes("m"));
                    }
                    publisher.waitForConfirmsOrDie(WAIT.toMillis());
                    confirmed.addAndGet(20);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        int before = broker.isExternal() ? 0 : broker.server().connectionCount();
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 1_000; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress(broker.host(), broker.port()), 5_000);
                OutputStream out = s.getOutputStream();
                switch (i % 4) {
                    case 0 -> { } // connect only
                    case 1 -> out.write(RawAmqpClient.PROTOCOL_HEADER);
                    case 2 -> out.write(new byte[] {'A', 'M', 'Q'}); // half a header
                    default -> {
                        out.write(RawAmqpClient.PROTOCOL_HEADER);
                        out.write(new byte[] {1, 0, 0, 0, 0}); // half of a start-ok frame
                    }
                }
                open.add(s);
                if (open.size() == 100) { // at most 100 at once, dropped abruptly
                    closeAll(open);
                }
            }
        } finally {
            closeAll(open);
        }
        stop.set(true);
        publishing.get();
        assertThat(confirmed.get()).as("the publisher kept being served").isGreaterThan(0);
        eventually("every confirmed message is in the queue",
                () -> publisher.queueDeclarePassive(queue).getMessageCount() == confirmed.get());
        if (!broker.isExternal()) {
            eventually("the broker forgot every dropped socket",
                    () -> broker.server().connectionCount() <= before);
        }
    }

    private static void closeAll(List<Socket> sockets) throws IOException {
        for (Socket s : sockets) {
            s.setSoLinger(true, 0); // RST, like a crashed client
            s.close();
        }
        sockets.clear();
    }
}
