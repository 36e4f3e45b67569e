package dev.ferrymq.cluster.quorum.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.queue.QueueConsumer;
import dev.ferrymq.broker.queue.QueueEntry;
import dev.ferrymq.cluster.quorum.ConsumerId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a consumer of this node holds between the replicated checkout and its channel. */
class LocalConsumerTest {
    private final List<Long> handedOver = new ArrayList<>();
    private boolean windowOpen;
    private final QueueConsumer channel = new QueueConsumer() {
        @Override
        public String tag() {
            return "c1";
        }

        @Override
        public boolean noAck() {
            return false;
        }

        @Override
        public boolean tryDeliver(QueueEntry entry) {
            if (windowOpen) {
                handedOver.add(entry.seq());
            }
            return windowOpen;
        }

        @Override
        public void cancelledByServer(Queue queue) {
        }
    };
    private final LocalConsumer local = new LocalConsumer(new ConsumerId("n1", 1, 1, "c1"), channel, false);

    private static QuorumEntry entry(long id) {
        return new QuorumEntry(null, new ConsumerId("n1", 1, 1, "c1"), id, null, false);
    }

    @Test
    void entriesWaitWhileTheChannelsWindowIsShutAndGoWhenItOpens() {
        assertThat(local.offer(entry(1), e -> { })).isTrue();
        assertThat(local.offer(entry(2), e -> { })).isTrue();
        assertThat(handedOver).isEmpty();

        windowOpen = true;
        local.drain(e -> { });

        assertThat(handedOver).containsExactly(1L, 2L);
    }

    @Test
    void closingGivesBackWhatTheChannelNeverReceivedAndRefusesMore() {
        windowOpen = true;
        local.offer(entry(1), e -> { });
        windowOpen = false;
        local.offer(entry(2), e -> { });
        local.offer(entry(3), e -> { });

        assertThat(local.close()).containsExactly(2L, 3L);
        assertThat(local.offer(entry(4), e -> { })).isFalse();
        windowOpen = true;
        local.drain(e -> { });
        assertThat(handedOver).containsExactly(1L);
    }
}
