package dev.ferrymq.server.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Only persistent messages on durable queues outlive the broker: transient ones (delivery mode 1 or none) on a
 * durable queue are gone after a restart, graceful or kill -9, and a non-durable queue is gone with its
 * persistent messages.
 */
class TransientMessagesTest extends AbstractCrashTest {

    private static final String DURABLE = "crash.durable";
    private static final String NON_DURABLE = "crash.non-durable";
    private static final int BODY = 64;
    private static final int COUNT = 30;

    @Test
    void onlyPersistentMessagesOnDurableQueuesSurviveRestarts() throws Exception {
        broker.start();
        List<Long> persistent = publishMix(connect(), 1);
        assertThat(persistent).hasSize(COUNT / 3);

        stopGracefully();
        broker.restart();
        verify(persistent, "after a graceful restart");

        List<Long> persistent2 = publishMix(connect(), 1_001);
        kill9();
        broker.restart();
        verify(persistent2, "after kill -9");
    }

    /**
     * Publishes seq from..from+COUNT-1 to the durable queue, cycling persistent / mode 1 / no delivery mode, and
     * persistent messages to a new non-durable queue. Returns the persistent seqs sent to the durable queue.
     */
    private List<Long> publishMix(Connection c, long from) throws Exception {
        Channel ch = c.createChannel();
        ch.queueDeclare(DURABLE, true, false, false, null);
        ch.queueDeclare(NON_DURABLE, false, false, false, null);
        ch.confirmSelect();
        List<Long> persistent = new ArrayList<>();
        for (long seq = from; seq < from + COUNT; seq++) {
            AMQP.BasicProperties props = switch ((int) (seq % 3)) {
                case 0 -> PERSISTENT;
                case 1 -> TRANSIENT;
                default -> null;
            };
            if (props == PERSISTENT) {
                persistent.add(seq);
            }
            ch.basicPublish("", DURABLE, props, body(seq, BODY));
            ch.basicPublish("", NON_DURABLE, PERSISTENT, body(seq, BODY));
        }
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        assertThat(messageCount(c, DURABLE)).isEqualTo(COUNT);
        assertThat(messageCount(c, NON_DURABLE)).isEqualTo(COUNT);
        return persistent;
    }

    private void verify(List<Long> persistent, String when) throws Exception {
        Connection c = connect();
        assertNotFound(c, ch -> ch.queueDeclarePassive(NON_DURABLE), "non-durable queue " + when);
        assertThat(messageCount(c, DURABLE)).as("messages on the durable queue %s", when)
                .isEqualTo(persistent.size());
        List<Received> recovered = drain(c, DURABLE, persistent.size(), BODY, true);
        assertThat(seqs(recovered)).as("exactly the persistent messages, in order, %s", when)
                .isEqualTo(persistent);
        assertThat(recovered).allMatch(Received::intact);
        c.close();
    }
}
