package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import dev.ferrymq.server.it.RawAmqpClient.Args;
import dev.ferrymq.server.it.RawAmqpClient.Frame;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A channel the broker is closing (channel.close sent, close-ok awaited) takes only close and close-ok, as in
 * RabbitMQ: a client's channel.close that crosses ours is answered with close-ok, the close-ok to ours then frees
 * the number, and the connection and its other channels carry on.
 */
class CrossingChannelCloseTest extends AbstractRawSocketIT {

    @Test
    void clientCloseCrossingBrokerCloseLeavesConnectionAndOtherChannelsAlone() throws Exception {
        try (RawAmqpClient c = withTwoChannelsAndAFailingPublishOnTheFirst()) {
            c.writeMethod(1, 20, 40, new Args().u16(200).shortStr("bye").u16(0).u16(0)); // before reading ours

            Frame close = c.expectMethod(20, 40);
            assertThat(close.channel()).isEqualTo(1);
            assertThat(close.replyCode()).isEqualTo(NOT_FOUND);
            assertThat(c.expectMethod(20, 41).channel()).as("close-ok answering the client's close").isEqualTo(1);
            c.writeMethod(1, 20, 41, new Args()); // the client's close-ok to our close

            declareServerNamedQueue(c, 2);
            c.openChannel(1); // the number is free again
            declareServerNamedQueue(c, 1);
        }
    }

    @Test
    void closingChannelIgnoresEverythingButCloseAndCloseOk() throws Exception {
        try (RawAmqpClient c = withTwoChannelsAndAFailingPublishOnTheFirst()) {
            assertThat(c.expectMethod(20, 40).replyCode()).isEqualTo(NOT_FOUND);
            // sent before the client saw our close: all dropped, including a publish's content frames
            c.writeMethod(1, 50, 10, new Args().u16(0).shortStr("").u8(0).emptyTable());
            publishToMissingExchange(c, 1);
            c.writeMethod(1, 60, 70, new Args().u16(0).shortStr(unique("missing")).u8(0));
            c.writeMethod(1, 20, 41, new Args());

            Frame next = declareServerNamedQueue(c, 2);
            assertThat(next.channel()).as("nothing answered on the closing channel").isEqualTo(2);
        }
    }

    @Test
    void javaClientClosingRightAfterAFailingPublishKeepsItsConnection() throws Exception {
        Connection conn = connect();
        Channel other = conn.createChannel();
        for (int i = 0; i < 20; i++) { // the close crosses the broker's 404 nearly every time; try a few
            // A fresh number each time: the client frees a number as soon as it has the broker's close, so the
            // broker's close-ok to its own close could otherwise reach the next channel given that number.
            Channel ch = conn.createChannel(100 + i);
            CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
            ch.addShutdownListener(closed::complete);
            ch.basicPublish(unique("missing"), "k", null, bytes("lost"));
            try {
                ch.close();
            } catch (IOException | ShutdownSignalException e) {
                // the broker's 404 won the race: the channel is closed either way
            }
            closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        String q = other.queueDeclare("", false, true, true, null).getQueue();
        publishConfirmed(other, "", q, "still here");
        assertThat(getText(other, q)).isEqualTo("still here");
        assertThat(conn.isOpen()).isTrue();
    }

    /** Channels 1 and 2 open, and a publish to a missing exchange sent on channel 1 (the broker will close it). */
    private RawAmqpClient withTwoChannelsAndAFailingPublishOnTheFirst() throws IOException {
        RawAmqpClient c = raw();
        c.handshake(BrokerUnderTest.USER, BrokerUnderTest.PASSWORD, 0);
        c.openChannel(1);
        c.openChannel(2);
        publishToMissingExchange(c, 1);
        return c;
    }

    private static void publishToMissingExchange(RawAmqpClient c, int channel) throws IOException {
        c.writeMethod(channel, 60, 40, new Args().u16(0).shortStr(unique("missing")).shortStr("k").u8(0));
        c.writeFrame(RawAmqpClient.FRAME_HEADER, channel, new Args().u16(60).u16(0).u64(3).u16(0).bytes());
        c.writeFrame(RawAmqpClient.FRAME_BODY, channel, new byte[] {'a', 'b', 'c'});
    }

    /** queue.declare of a server-named exclusive queue; returns the declare-ok, which must come next. */
    private static Frame declareServerNamedQueue(RawAmqpClient c, int channel) throws IOException {
        c.writeMethod(channel, 50, 10, new Args().u16(0).shortStr("").u8(0b0110).emptyTable());
        Frame ok = c.expectMethod(50, 11);
        assertThat(ok.channel()).isEqualTo(channel);
        return ok;
    }
}
