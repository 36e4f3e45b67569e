package dev.ferrymq.server.amqp;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class HeartbeatsTest {
    private final List<IdleStateEvent> events = new ArrayList<>();
    private final EmbeddedChannel channel = new EmbeddedChannel(new Heartbeats(2), new ChannelInboundHandlerAdapter() {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            events.add((IdleStateEvent) evt);
            if (evt == IdleStateEvent.WRITER_IDLE_STATE_EVENT) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {8})); // what AmqpConnection does
            }
        }
    });

    /** Moves the clock by {@code millis} in half-second steps, reading from and writing to the peer if asked. */
    private void pass(long millis, boolean peerTalks, boolean weTalk) {
        for (long t = 0; t < millis; t += 500) {
            if (peerTalks) {
                channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {1}));
            }
            if (weTalk) {
                channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {2}));
            }
            channel.advanceTimeBy(500, TimeUnit.MILLISECONDS);
            channel.runScheduledPendingTasks();
        }
        channel.releaseInbound();
        channel.releaseOutbound();
    }

    @Test
    void busyConnectionSendsNoHeartbeatsAndStaysOpen() {
        pass(10_000, true, true);
        assertThat(events).isEmpty();
    }

    @Test
    void quietWriterSendsOneHeartbeatPerInterval() {
        pass(10_000, true, false);
        assertThat(events).containsOnly(IdleStateEvent.WRITER_IDLE_STATE_EVENT).hasSize(5);
    }

    @Test
    void silentPeerIsReportedAfterTwoIntervals() {
        pass(3_500, false, true);
        assertThat(events).isEmpty();
        pass(500, false, true);
        assertThat(events).containsExactly(IdleStateEvent.READER_IDLE_STATE_EVENT);
    }

    @Test
    void oneReadResetsTheSilence() {
        pass(3_000, false, true);
        pass(500, true, true);
        pass(3_500, false, true);
        assertThat(events).isEmpty();
    }
}
