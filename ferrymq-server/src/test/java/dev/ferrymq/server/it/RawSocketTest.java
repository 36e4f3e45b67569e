package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymq.server.it.RawAmqpClient.Args;
import dev.ferrymq.server.it.RawAmqpClient.Ending;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Misbehaving clients on a raw socket; after each one, a well-behaved client must still be served. */
class RawSocketTest extends AbstractRawSocketIT {

    private static final byte[] AMQP_0_9_1 = RawAmqpClient.PROTOCOL_HEADER;

    @Test
    void unsupportedProtocolVersionGetsSupportedHeaderAndClose() throws Exception {
        try (RawAmqpClient c = raw()) {
            c.write(new byte[] {'A', 'M', 'Q', 'P', 0, 0, 9, 0});
            assertThat(c.readUpTo(8)).isEqualTo(AMQP_0_9_1);
            assertThat(c.readsEof()).as("connection closed after the header").isTrue();
        }
    }

    @Test
    void httpRequestGetsAmqpHeaderAndClose() throws Exception {
        try (RawAmqpClient c = raw()) {
            c.write("HTTP/1.1".getBytes(StandardCharsets.US_ASCII));
            assertThat(c.readUpTo(8)).isEqualTo(AMQP_0_9_1);
            assertThat(c.readsEof()).as("connection closed after the header").isTrue();
        }
    }

    @Test
    void silentClientIsDisconnectedAfterMissedHeartbeats() throws Exception {
        try (RawAmqpClient c = raw()) {
            c.handshake(BrokerUnderTest.USER, BrokerUnderTest.PASSWORD, 1);
            long start = System.nanoTime();
            Ending end = c.awaitEnd(); // we never send anything, not even heartbeats
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(end.eof()).as("disconnected within %s (after %d ms)", READ_TIMEOUT, elapsedMs).isTrue();
            assertThat(elapsedMs).as("not before a heartbeat interval has passed").isGreaterThanOrEqualTo(1_000);
            assertThat(elapsedMs).isLessThanOrEqualTo(5_500);
            assertThat(end.heartbeats()).as("the broker sent heartbeats while waiting").isGreaterThanOrEqualTo(1);
            assertThat(end.closedWithMethod()).as("a heartbeat timeout closes the socket without connection.close")
                    .isFalse();
        }
    }

    @Test
    void garbageInsteadOfStartOkClosesConnection() throws Exception {
        try (RawAmqpClient c = raw()) {
            c.write(AMQP_0_9_1);
            c.expectMethod(10, 10); // connection.start
            c.write("GARBAGE GARBAGE GARBAGE GARBAGE!".getBytes(StandardCharsets.US_ASCII));
            Ending end = c.awaitEnd();
            assertThat(end.eof()).as("connection closed").isTrue();
            // before connection.open RabbitMQ closes the socket without a connection.close
            assertThat(end.closedWithMethod()).isFalse();
        }
    }

    @Test
    void garbageAfterOpenIsFrameError() throws Exception {
        try (RawAmqpClient c = raw()) {
            c.handshake(BrokerUnderTest.USER, BrokerUnderTest.PASSWORD, 0);
            c.write("GARBAGE GARBAGE GARBAGE GARBAGE!".getBytes(StandardCharsets.US_ASCII));
            Ending end = c.awaitEnd();
            assertThat(end.closedWithMethod()).as("connection.close sent").isTrue();
            assertThat(end.close().replyCode()).as(end.close().replyText()).isEqualTo(FRAME_ERROR);
            assertThat(end.eof()).isTrue();
        }
    }

    @Test
    void frameLargerThanFrameMaxIsFrameError() throws Exception {
        try (RawAmqpClient c = raw()) {
            c.handshake(BrokerUnderTest.USER, BrokerUnderTest.PASSWORD, 0);
            assertThat(c.frameMax()).isEqualTo(131072);
            c.openChannel(1);
            byte[] payload = new byte[c.frameMax() + 1024];
            try {
                c.writeFrame(RawAmqpClient.FRAME_BODY, 1, payload);
            } catch (SocketException closedWhileWriting) {
                // the broker may close before reading the whole frame; what it sent is still readable
            }
            Ending end = c.awaitEnd();
            assertThat(end.closedWithMethod()).as("connection.close sent").isTrue();
            assertThat(end.close().replyCode()).as(end.close().replyText()).isEqualTo(FRAME_ERROR);
            assertThat(end.eof()).isTrue();
        }
    }

    @Test
    void frameOfExactlyFrameMaxIsAcceptedAndALargerPayloadIsFrameError() throws Exception {
        try (RawAmqpClient c = raw()) {
            c.handshake(BrokerUnderTest.USER, BrokerUnderTest.PASSWORD, 0);
            c.openChannel(1);
            int maxPayload = c.frameMax() - 8; // frame_max counts the 7-byte header and the frame-end octet
            // basic.publish to the default exchange with a routing key no queue has: the message is dropped
            c.writeMethod(1, 60, 40, new Args().u16(0).shortStr("").shortStr(unique("nowhere")).u8(0));
            c.writeFrame(RawAmqpClient.FRAME_HEADER, 1,
                    new Args().u16(60).u16(0).u32(0).u32(maxPayload).u16(0).bytes());
            c.writeFrame(RawAmqpClient.FRAME_BODY, 1, new byte[maxPayload]);
            // the channel still works: a clean channel.close gets its close-ok
            c.writeMethod(1, 20, 40, new Args().u16(REPLY_SUCCESS).shortStr("bye").u16(0).u16(0));
            c.expectMethod(20, 41);

            // RabbitMQ tolerates payloads up to frame_max itself (8 bytes of "fudge" for clients that forget the
            // frame overhead); a payload larger than frame_max is always a frame error
            int tooLarge = c.frameMax() + 1;
            c.openChannel(2);
            c.writeMethod(2, 60, 40, new Args().u16(0).shortStr("").shortStr(unique("nowhere")).u8(0));
            c.writeFrame(RawAmqpClient.FRAME_HEADER, 2,
                    new Args().u16(60).u16(0).u32(0).u32(tooLarge).u16(0).bytes());
            try {
                c.writeFrame(RawAmqpClient.FRAME_BODY, 2, new byte[tooLarge]);
            } catch (SocketException closedWhileWriting) {
                // the broker may close before reading the whole frame
            }
            Ending end = c.awaitEnd();
            assertThat(end.closedWithMethod()).as("connection.close sent").isTrue();
            assertThat(end.close().replyCode()).as(end.close().replyText()).isEqualTo(FRAME_ERROR);
        }
    }

    @Test
    void badFrameEndOctetIsFrameError() throws Exception {
        try (RawAmqpClient c = raw()) {
            c.handshake(BrokerUnderTest.USER, BrokerUnderTest.PASSWORD, 0);
            // a channel.open on channel 1 whose frame ends with 0x00 instead of 0xCE
            c.write(new byte[] {1, 0, 1, 0, 0, 0, 5, 0, 20, 0, 10, 0, 0});
            Ending end = c.awaitEnd();
            assertThat(end.closedWithMethod()).as("connection.close sent").isTrue();
            assertThat(end.close().replyCode()).as(end.close().replyText()).isEqualTo(FRAME_ERROR);
            assertThat(end.eof()).isTrue();
        }
    }

    @Test
    void methodOnUnopenedChannelIsChannelError() throws Exception {
        try (RawAmqpClient c = raw()) {
            c.handshake(BrokerUnderTest.USER, BrokerUnderTest.PASSWORD, 0);
            // queue.declare on channel 7, which was never opened
            c.writeMethod(7, 50, 10, new Args().u16(0).shortStr("").u8(0).emptyTable());
            Ending end = c.awaitEnd();
            assertThat(end.closedWithMethod()).as("connection.close sent").isTrue();
            assertThat(end.close().replyCode()).as(end.close().replyText()).isEqualTo(CHANNEL_ERROR);
            assertThat(end.eof()).isTrue();
        }
    }

    @Test
    void contentHeaderWithoutPublishIsUnexpectedFrame() throws Exception {
        try (RawAmqpClient c = raw()) {
            c.handshake(BrokerUnderTest.USER, BrokerUnderTest.PASSWORD, 0);
            c.openChannel(1);
            // a basic content header (class 60, weight 0, body size 1, no properties) with no basic.publish before it
            c.writeFrame(RawAmqpClient.FRAME_HEADER, 1, new Args().u16(60).u16(0).u32(0).u32(1).u16(0).bytes());
            Ending end = c.awaitEnd();
            assertThat(end.closedWithMethod()).as("connection.close sent").isTrue();
            assertThat(end.close().replyCode()).as(end.close().replyText()).isEqualTo(UNEXPECTED_FRAME);
            assertThat(end.eof()).isTrue();
        }
    }
}
