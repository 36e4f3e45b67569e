package dev.ferrymq.server.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** kill -9 right after the message log rolled over to a new 64 MiB segment: everything confirmed is back, in order. */
class KillAfterSegmentRollTest extends AbstractCrashTest {

    private static final String QUEUE = "crash.roll";
    static final int BODY = 64 * 1024;
    /** 1100 x 64 KiB is about 69 MiB: more than one 64 MiB segment. */
    static final int COUNT = 1_100;

    @Test
    void confirmedMessagesAcrossASegmentBoundarySurviveKill9() throws Exception {
        broker.start();
        Connection c = connect();
        Channel ch = c.createChannel();
        ch.queueDeclare(QUEUE, true, false, false, null);
        publishConfirmed(ch, "", QUEUE, 1, COUNT, BODY, PERSISTENT, 50);

        List<Path> segments = segmentFiles(broker.messagesDir());
        assertThat(segments).as("segments before the kill").hasSizeGreaterThan(1);
        kill9();

        broker.restart();
        Connection c2 = connect();
        assertThat(messageCount(c2, QUEUE)).isEqualTo(COUNT);
        List<Received> recovered = drain(c2, QUEUE, COUNT, BODY, true);
        assertThat(seqs(recovered)).as("all confirmed messages, in order").isEqualTo(range(1, COUNT));
        assertThat(recovered).as("bodies intact").allMatch(Received::intact);
        assertThat(recovered).as("recovered messages are marked redelivered").allMatch(Received::redelivered);
    }
}
