package dev.ferrymq.server.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * kill -9 while publishing to a stream (small segments, so it rolls many times): after the restart every
 * confirmed message is still there at the same offset (offset = publish order), the offsets have no gap, and new
 * publishes continue at the next offset.
 */
class StreamKillTest extends AbstractCrashTest {
    private static final String STREAM = "crash.stream";
    private static final int BODY = 200;
    private static final int CONFIRMED = 2_000;

    /** A stream delivery: its x-stream-offset header and the seq in its body. */
    private record Read(long offset, long seq, boolean intact) {
    }

    @Test
    void everyConfirmedMessageKeepsItsOffsetAfterKill9() throws Exception {
        broker.start();
        Channel ch = connect().createChannel();
        ch.queueDeclare(STREAM, true, false, false,
                Map.of("x-queue-type", "stream", "x-stream-max-segment-size-bytes", 65_536));
        publishConfirmed(ch, "", STREAM, 1, CONFIRMED, BODY, TRANSIENT, 100);
        Thread racing = new Thread(() -> {
            try {
                for (long seq = CONFIRMED + 1; seq < 1_000_000; seq++) {
                    ch.basicPublish("", STREAM, TRANSIENT, body(seq, BODY));
                }
            } catch (Exception | Error expected) {
                // the broker was killed
            }
        }, "racing-publisher");
        racing.start();
        Thread.sleep(100);
        kill9();
        racing.join(10_000);

        broker.restart();
        Connection c = connect();
        List<Read> recovered = readAll(c.createChannel(), "first");
        assertThat(recovered.size()).as("every confirmed message recovered").isGreaterThanOrEqualTo(CONFIRMED);
        for (int i = 0; i < recovered.size(); i++) {
            assertThat(recovered.get(i)).as("message at position %d", i).isEqualTo(new Read(i, i + 1, true));
        }

        Channel again = c.createChannel();
        publishConfirmed(again, "", STREAM, 5_000_000, 5_000_000, BODY, TRANSIENT, 1);
        List<Read> last = readAll(c.createChannel(), recovered.size());
        assertThat(last).containsExactly(new Read(recovered.size(), 5_000_000, true));
    }

    /** Reads from {@code offset} until nothing more arrives for a moment. */
    private List<Read> readAll(Channel ch, Object offset) throws Exception {
        ch.basicQos(500);
        BlockingQueue<Read> arrived = new LinkedBlockingQueue<>();
        ch.basicConsume(STREAM, false, Map.of("x-stream-offset", offset), new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                    throws java.io.IOException {
                long header = ((Number) properties.getHeaders().get("x-stream-offset")).longValue();
                arrived.add(new Read(header, seqOf(body), intact(body, BODY)));
                getChannel().basicAck(envelope.getDeliveryTag(), false);
            }
        });
        List<Read> reads = new ArrayList<>();
        for (Read r; (r = arrived.poll(1, TimeUnit.SECONDS)) != null; ) {
            reads.add(r);
        }
        return reads;
    }
}
