package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import java.util.List;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Publisher confirms (confirm.select, basic.ack / basic.nack from the broker) and their interplay with tx. */
class ConfirmsTest extends AbstractBrokerIT {

    @Test
    void thousandPublishesAreConfirmed() throws Exception {
        Connection c = connect();
        Channel ch = c.createChannel();
        String q = declareQueue(ch);
        ch.confirmSelect();
        assertThat(ch.getNextPublishSeqNo()).isEqualTo(1);
        for (int i = 0; i < 1000; i++) {
            publish(ch, "", q, "m" + i);
        }
        ch.waitForConfirmsOrDie(5_000);
        assertThat(ch.getNextPublishSeqNo()).isEqualTo(1001);
        assertThat(messageCount(c, q)).isEqualTo(1000);
    }

    @Test
    void confirmListenerSeesAcksCoveringEverySequenceNumber() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        NavigableSet<Long> outstanding = new ConcurrentSkipListSet<>();
        List<Long> nacked = new CopyOnWriteArrayList<>();
        AtomicLong highestAck = new AtomicLong();
        ch.addConfirmListener(new ConfirmListener() {
            @Override
            public void handleAck(long tag, boolean multiple) {
                highestAck.accumulateAndGet(tag, Math::max);
                if (multiple) {
                    outstanding.headSet(tag, true).clear();
                } else {
                    outstanding.remove(tag);
                }
            }

            @Override
            public void handleNack(long tag, boolean multiple) {
                nacked.add(tag);
            }
        });
        ch.confirmSelect();
        assertThat(ch.getNextPublishSeqNo()).isEqualTo(1);
        for (int i = 0; i < 1000; i++) {
            outstanding.add(ch.getNextPublishSeqNo());
            publish(ch, "", q, "m" + i);
        }
        eventually("every publish confirmed, " + outstanding.size() + " outstanding", outstanding::isEmpty);
        assertThat(nacked).isEmpty();
        assertThat(highestAck.get()).isEqualTo(1000);
    }

    @Test
    void unroutableMessagesAreConfirmedAndMandatoryOnesReturnedFirst() throws Exception {
        Channel ch = openChannel();
        String x = declareExchange(ch, "direct");
        List<String> events = new CopyOnWriteArrayList<>();
        ch.addReturnListener(r -> events.add("return:" + text(r.getBody())));
        ch.addConfirmListener(new ConfirmListener() {
            @Override
            public void handleAck(long tag, boolean multiple) {
                events.add("ack:" + tag);
            }

            @Override
            public void handleNack(long tag, boolean multiple) {
                events.add("nack:" + tag);
            }
        });
        ch.confirmSelect();
        ch.basicPublish(x, "nowhere", true, null, bytes("mandatory"));
        ch.waitForConfirmsOrDie(5_000);
        ch.basicPublish(x, "nowhere", false, null, bytes("not mandatory"));
        ch.waitForConfirmsOrDie(5_000);
        assertThat(events).containsExactly("return:mandatory", "ack:1", "ack:2");
    }

    @Test
    void confirmSelectOnTransactionalChannelIsPreconditionFailed() throws Exception {
        Channel ch = openChannel();
        ch.txSelect();
        assertChannelError(ch, PRECONDITION_FAILED, ch::confirmSelect);
    }

    @Test
    void txSelectOnConfirmChannelIsPreconditionFailed() throws Exception {
        Channel ch = openChannel();
        ch.confirmSelect();
        assertChannelError(ch, PRECONDITION_FAILED, ch::txSelect);
    }
}
