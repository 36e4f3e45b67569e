package dev.ferrymq.server.it.features;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import dev.ferrymq.server.it.AbstractBrokerIT;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** x-max-length and x-max-length-bytes with each x-overflow behaviour. */
class LengthLimitTest extends AbstractBrokerIT {

    @Test
    void dropHeadKeepsTheNewestMessages() throws Exception {
        Channel ch = openChannel();
        String dlq = declareQueue(ch);
        String q = queueToDelete(unique("len"));
        ch.queueDeclare(q, false, false, false, Map.of("x-max-length", 2, "x-dead-letter-exchange", "",
                "x-dead-letter-routing-key", dlq));
        publishConfirmed(ch, "", q, "1", "2", "3", "4");
        assertThat(messageCount(ch.getConnection(), q)).isEqualTo(2);
        assertThat(getText(ch, q)).isEqualTo("3");
        assertThat(getText(ch, q)).isEqualTo("4");
        eventually("dropped heads dead-lettered", () -> messageCount(ch.getConnection(), dlq) == 2);
        var dead = ch.basicGet(dlq, true);
        assertThat(text(dead.getBody())).isEqualTo("1");
        assertThat(dead.getProps().getHeaders().get("x-first-death-reason").toString()).isEqualTo("maxlen");
    }

    @Test
    void maxLengthBytesCountsBodies() throws Exception {
        Channel ch = openChannel();
        String q = queueToDelete(unique("bytes"));
        ch.queueDeclare(q, false, false, false, Map.of("x-max-length-bytes", 10));
        publishConfirmed(ch, "", q, "aaaa", "bbbb", "cccc"); // 12 bytes: the oldest goes
        assertThat(messageCount(ch.getConnection(), q)).isEqualTo(2);
        assertThat(getText(ch, q)).isEqualTo("bbbb");
    }

    @Test
    void rejectPublishNacksWhatDoesNotFit() throws Exception {
        Channel ch = openChannel();
        String q = queueToDelete(unique("reject"));
        ch.queueDeclare(q, false, false, false, Map.of("x-max-length", 2, "x-overflow", "reject-publish"));
        ch.confirmSelect();
        List<Long> acked = new CopyOnWriteArrayList<>();
        ConcurrentSkipListSet<Long> nacked = new ConcurrentSkipListSet<>();
        ch.addConfirmListener((tag, multiple) -> acked.add(tag), (tag, multiple) -> nacked.add(tag));
        for (int i = 1; i <= 4; i++) {
            publish(ch, "", q, "m" + i);
        }
        ch.waitForConfirms(WAIT.toMillis());
        assertThat(nacked).containsExactly(3L, 4L);
        assertThat(messageCount(ch.getConnection(), q)).isEqualTo(2);
        assertThat(getText(ch, q)).isEqualTo("m1");
    }

    @Test
    void rejectPublishDlxDeadLettersTheRefusedMessage() throws Exception {
        Channel ch = openChannel();
        String dlq = declareQueue(ch);
        String q = queueToDelete(unique("reject"));
        ch.queueDeclare(q, false, false, false, Map.of("x-max-length", 1, "x-overflow", "reject-publish-dlx",
                "x-dead-letter-exchange", "", "x-dead-letter-routing-key", dlq));
        ch.confirmSelect();
        publish(ch, "", q, "kept");
        publish(ch, "", q, "refused");
        assertThat(ch.waitForConfirms(WAIT.toMillis())).as("a nack was received").isFalse();
        eventually("refused message dead-lettered", () -> messageCount(ch.getConnection(), dlq) == 1);
        assertThat(getText(ch, dlq)).isEqualTo("refused");
        assertThat(getText(ch, q)).isEqualTo("kept");
    }

    @Test
    void badOverflowValueIsRefused() throws Exception {
        Channel ch = openChannel();
        assertChannelError(ch, PRECONDITION_FAILED, () -> ch.queueDeclare(unique("bad"), false, false, false,
                Map.of("x-overflow", "explode")));
    }
}
