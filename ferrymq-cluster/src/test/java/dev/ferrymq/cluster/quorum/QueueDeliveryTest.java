package dev.ferrymq.cluster.quorum;

import static dev.ferrymq.cluster.quorum.QueueDriver.bodies;
import static dev.ferrymq.cluster.quorum.QueueDriver.consumer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymq.cluster.quorum.Effect.Deliver;
import dev.ferrymq.cluster.quorum.Effect.EnqueueSettled;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueueDeliveryTest {
    private final QueueDriver queue = new QueueDriver();
    private final ConsumerId c1 = consumer("n1", "c1");
    private final ConsumerId c2 = consumer("n2", "c2");

    @Test
    void deliversInPublishOrder() {
        queue.publish("a");
        queue.publish("b");
        queue.publish("c");
        queue.consume(c1, 0);

        List<Deliver> deliveries = queue.takeDeliveries();
        assertThat(bodies(deliveries)).containsExactly("a", "b", "c");
        assertThat(deliveries).allSatisfy(d -> {
            assertThat(d.consumer()).isEqualTo(c1);
            assertThat(d.redelivered()).isFalse();
            assertThat(d.deliveryCount()).isZero();
        });
    }

    @Test
    void prefetchLimitsWhatIsCheckedOutAndAnAckMakesRoom() {
        for (String body : List.of("a", "b", "c", "d")) {
            queue.publish(body);
        }
        queue.consume(c1, 2);
        List<Deliver> first = queue.takeDeliveries();
        assertThat(bodies(first)).containsExactly("a", "b");
        assertThat(queue.state.readyCount()).isEqualTo(2);

        queue.ack(c1, first.get(0).messageId());
        assertThat(bodies(queue.takeDeliveries())).containsExactly("c");
        assertThat(queue.state.checkedOutCount()).isEqualTo(2);
    }

    @Test
    void ackRemovesTheMessageForGood() {
        queue.publish("a");
        queue.consume(c1, 0);
        long id = queue.takeDeliveries().get(0).messageId();

        queue.ack(c1, id);
        queue.apply(new QueueCommand.ConsumerDown(c1));

        assertThat(queue.state.readyCount()).isZero();
        assertThat(queue.state.checkedOutCount()).isZero();
    }

    @Test
    void ackOfAMessageHeldByAnotherConsumerIsIgnored() {
        queue.publish("a");
        queue.consume(c1, 0);
        long id = queue.takeDeliveries().get(0).messageId();
        queue.consume(c2, 0);

        queue.ack(c2, id);

        assertThat(queue.state.checkedOutBy(c1)).containsExactly(id);
    }

    @Test
    void requeuedMessageIsRedeliveredFirstWithItsDeliveryCount() {
        queue.publish("a");
        queue.publish("b");
        queue.consume(c1, 1);
        long a = queue.takeDeliveries().get(0).messageId();

        queue.requeue(c1, a);

        List<Deliver> again = queue.takeDeliveries();
        assertThat(bodies(again)).containsExactly("a");
        assertThat(again.get(0).redelivered()).isTrue();
        assertThat(again.get(0).deliveryCount()).isEqualTo(1);
    }

    @Test
    void multipleRequeueKeepsTheOriginalOrderAheadOfNewMessages() {
        queue.publish("a");
        queue.publish("b");
        queue.consume(c1, 2);
        List<Deliver> first = queue.takeDeliveries();
        queue.publish("c");

        queue.requeue(c1, first.get(1).messageId(), first.get(0).messageId());

        assertThat(bodies(queue.takeDeliveries())).containsExactly("a", "b");
    }

    @Test
    void equalConsumersShareMessagesRoundRobin() {
        queue.consume(c1, 0);
        queue.consume(c2, 0);
        for (String body : List.of("a", "b", "c", "d")) {
            queue.publish(body);
        }

        List<Deliver> deliveries = queue.takeDeliveries();
        assertThat(deliveries).extracting(Deliver::consumer).containsExactly(c1, c2, c1, c2);
    }

    @Test
    void higherPriorityConsumerIsServedWhileItHasCredit() {
        ConsumerId low = consumer("n1", "low");
        ConsumerId high = consumer("n2", "high");
        queue.apply(new QueueCommand.Checkout(low, 0, 0, false));
        queue.apply(new QueueCommand.Checkout(high, 2, 5, false));
        for (String body : List.of("a", "b", "c")) {
            queue.publish(body);
        }

        assertThat(queue.takeDeliveries()).extracting(Deliver::consumer).containsExactly(high, high, low);
    }

    @Test
    void creditUpdateLetsAFullConsumerReceiveMore() {
        queue.publish("a");
        queue.publish("b");
        queue.consume(c1, 1);
        queue.takeDeliveries();

        queue.apply(new QueueCommand.Credit(c1, 2));

        assertThat(bodies(queue.takeDeliveries())).containsExactly("b");
    }

    @Test
    void highPriorityMessagesGoFirstButNormalOnesAreNotStarved() {
        queue.publish("n1", 0, -1);
        queue.publish("h1", 9, -1);
        queue.publish("h2", 9, -1);
        queue.publish("h3", 9, -1);
        queue.publish("n2", 0, -1);
        queue.consume(c1, 0);

        // rabbit_fifo_q: two picks from the high lane, then the oldest of both lanes.
        assertThat(bodies(queue.takeDeliveries())).containsExactly("h1", "h2", "n1", "h3", "n2");
    }

    @Test
    void purgeDropsReadyMessagesButNotCheckedOutOnes() {
        queue.publish("a");
        queue.consume(c1, 1);
        queue.publish("b");
        queue.publish("c");

        Reply reply = queue.apply(new QueueCommand.Purge());

        assertThat(reply.value()).isEqualTo(2);
        assertThat(queue.state.readyCount()).isZero();
        assertThat(queue.state.checkedOutCount()).isEqualTo(1);
    }

    @Test
    void duplicateEnqueueFromARetriedProposalIsAppliedOnce() {
        QueueCommand.Enqueue enqueue = new QueueCommand.Enqueue(QueueDriver.PUBLISHER, 1, 0, -1, new byte[] {1});

        Reply first = queue.apply(enqueue);
        Reply retried = queue.apply(enqueue);

        assertThat(first.code()).isEqualTo(Reply.Code.OK);
        assertThat(retried.code()).isEqualTo(Reply.Code.DUPLICATE);
        assertThat(retried.accepted()).isTrue();
        assertThat(queue.state.readyCount()).isEqualTo(1);
        assertThat(queue.ofType(EnqueueSettled.class)).extracting(EnqueueSettled::accepted)
                .containsExactly(true, true);
    }

    @Test
    void untrackedEnqueuesAreNeverDuplicates() {
        QueueCommand.Enqueue enqueue = new QueueCommand.Enqueue(QueueDriver.PUBLISHER, 0, 0, -1, new byte[] {1});

        queue.apply(enqueue);
        queue.apply(enqueue);

        assertThat(queue.state.readyCount()).isEqualTo(2);
    }
}
