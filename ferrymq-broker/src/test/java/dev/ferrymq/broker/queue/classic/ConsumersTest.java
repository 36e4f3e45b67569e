package dev.ferrymq.broker.queue.classic;

import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.queue.QueueConsumer;
import dev.ferrymq.broker.queue.QueueEntry;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Consumer order: priority groups, round-robin within a group, single active consumer, exclusive use. */
class ConsumersTest {
    private static final QueueEntry ENTRY = ClassicEntry.inMemory(null, 0,
            new Message("", "", new byte[0], new byte[0], false), Queue.NOT_STORED, Message.NEVER, 0);

    private static final class Recorder implements QueueConsumer {
        private final String tag;
        private final int priority;
        private final boolean noAck;
        boolean open = true;

        Recorder(String tag, int priority, boolean noAck) {
            this.tag = tag;
            this.priority = priority;
            this.noAck = noAck;
        }

        @Override
        public String tag() {
            return tag;
        }

        @Override
        public boolean noAck() {
            return noAck;
        }

        @Override
        public int priority() {
            return priority;
        }

        @Override
        public boolean tryDeliver(QueueEntry entry) {
            return open;
        }

        @Override
        public void cancelledByServer(Queue queue) {
        }
    }

    private static List<String> offer(Consumers consumers, int times, boolean singleActive) {
        List<String> takers = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            QueueConsumer taker = consumers.offer(ENTRY, singleActive);
            takers.add(taker == null ? null : taker.tag());
        }
        return takers;
    }

    @Test
    void equalPrioritiesTakeTurnsInArrivalOrder() {
        Consumers consumers = new Consumers();
        consumers.add(new Recorder("a", 0, false), false, "q");
        consumers.add(new Recorder("b", 0, false), false, "q");
        consumers.add(new Recorder("c", 0, false), false, "q");
        assertThat(offer(consumers, 5, false)).containsExactly("a", "b", "c", "a", "b");
    }

    @Test
    void theHighestPriorityThatCanTakeItGetsIt() {
        Consumers consumers = new Consumers();
        Recorder low = new Recorder("low", 0, false);
        Recorder high1 = new Recorder("high1", 5, false);
        Recorder high2 = new Recorder("high2", 5, false);
        consumers.add(low, false, "q");
        consumers.add(high1, false, "q");
        consumers.add(high2, false, "q");
        assertThat(offer(consumers, 3, false)).containsExactly("high1", "high2", "high1");
        high1.open = false;
        high2.open = false;
        assertThat(offer(consumers, 2, false)).containsExactly("low", "low");
        low.open = false;
        assertThat(offer(consumers, 1, false)).containsExactly((String) null);
    }

    @Test
    void aSingleActiveConsumerQueueOffersOnlyToTheFirstConsumer() {
        Consumers consumers = new Consumers();
        Recorder first = new Recorder("first", 0, false);
        consumers.add(first, false, "q");
        consumers.add(new Recorder("second", 0, false), false, "q");
        assertThat(offer(consumers, 3, true)).containsExactly("first", "first", "first");
        first.open = false;
        assertThat(offer(consumers, 1, true)).containsExactly((String) null);
        consumers.remove(first);
        assertThat(consumers.first().tag()).isEqualTo("second");
        assertThat(offer(consumers, 1, true)).containsExactly("second");
    }

    @Test
    void anExclusiveConsumerKeepsOthersOutUntilItLeaves() {
        Consumers consumers = new Consumers();
        Recorder exclusive = new Recorder("x", 0, false);
        consumers.add(exclusive, true, "queue 'q'");
        assertThatThrownBy(() -> consumers.add(new Recorder("y", 0, false), false, "queue 'q'"))
                .isInstanceOf(BrokerException.class).hasMessageContaining("queue 'q' in exclusive use");
        consumers.remove(exclusive);
        consumers.add(new Recorder("y", 0, false), false, "queue 'q'");
        assertThatThrownBy(() -> consumers.add(new Recorder("z", 0, false), true, "queue 'q'"))
                .isInstanceOf(BrokerException.class);
        assertThat(consumers.hadConsumers()).isTrue();
    }

    @Test
    void knowsWhetherAnyConsumerSettlesOnDelivery() {
        Consumers consumers = new Consumers();
        Recorder noAck = new Recorder("n", 0, true);
        consumers.add(new Recorder("a", 0, false), false, "q");
        assertThat(consumers.anyNoAck()).isFalse();
        consumers.add(noAck, false, "q");
        assertThat(consumers.anyNoAck()).isTrue();
        consumers.remove(noAck);
        assertThat(consumers.anyNoAck()).isFalse();
        consumers.add(noAck, false, "q");
        assertThat(consumers.removeAll()).hasSize(2);
        assertThat(consumers.anyNoAck()).isFalse();
        assertThat(consumers.isEmpty()).isTrue();
    }
}
