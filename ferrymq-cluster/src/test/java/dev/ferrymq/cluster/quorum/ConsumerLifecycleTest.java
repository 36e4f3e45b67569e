package dev.ferrymq.cluster.quorum;

import static dev.ferrymq.cluster.quorum.QueueDriver.bodies;
import static dev.ferrymq.cluster.quorum.QueueDriver.consumer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymq.cluster.quorum.Effect.ConsumerActivity;
import dev.ferrymq.cluster.quorum.Effect.ConsumerCancelled;
import dev.ferrymq.cluster.quorum.Effect.Deliver;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsumerLifecycleTest {
    private final QueueDriver queue = new QueueDriver();
    private final ConsumerId c1 = consumer("n1", "c1");
    private final ConsumerId c2 = consumer("n2", "c2");
    private final ConsumerId c3 = consumer("n3", "c3");

    private void singleActiveConsumer() {
        queue.configure(new QueueConfig(20, -1, -1, Overflow.DROP_HEAD, -1, true));
    }

    @Test
    void singleActiveConsumerGetsEverythingWhileOthersWait() {
        singleActiveConsumer();
        queue.consume(c1, 0);
        queue.consume(c2, 0);
        queue.publish("a");
        queue.publish("b");

        assertThat(queue.ofType(ConsumerActivity.class))
                .containsExactly(new ConsumerActivity(c1, true), new ConsumerActivity(c2, false));
        assertThat(queue.takeDeliveries()).extracting(Deliver::consumer).containsExactly(c1, c1);
    }

    @Test
    void singleActiveConsumerFailsOverToTheNextOnCancel() {
        singleActiveConsumer();
        queue.consume(c1, 1);
        queue.consume(c2, 1);
        queue.publish("a");
        queue.publish("b");
        long a = queue.takeDeliveries().get(0).messageId();

        queue.apply(new QueueCommand.Cancel(c1));

        assertThat(queue.ofType(ConsumerCancelled.class)).containsExactly(new ConsumerCancelled(c1));
        assertThat(queue.ofType(ConsumerActivity.class)).containsExactly(new ConsumerActivity(c2, true));
        assertThat(queue.takeDeliveries()).singleElement().satisfies(d -> {
            assertThat(d.consumer()).isEqualTo(c2);
            assertThat(QueueDriver.body(d)).isEqualTo("b");
        });
        // The cancelled consumer may still ack what it holds, as with basic.cancel on RabbitMQ.
        assertThat(queue.state.consumerCount()).isEqualTo(1);
        queue.ack(c1, a);
        assertThat(queue.state.consumers.get(c1)).as("forgotten once it holds nothing").isNull();
    }

    @Test
    void singleActiveConsumerPromotesTheHighestPriorityWaitingConsumer() {
        singleActiveConsumer();
        queue.consume(c1, 0);
        queue.apply(new QueueCommand.Checkout(c2, 0, 0, false));
        queue.apply(new QueueCommand.Checkout(c3, 0, 5, false));

        queue.apply(new QueueCommand.ConsumerDown(c1));

        assertThat(queue.state.isActive(c3)).isTrue();
        assertThat(queue.state.isActive(c2)).isFalse();
    }

    @Test
    void singleActiveConsumerDownHandsItsMessagesToTheNextRedelivered() {
        singleActiveConsumer();
        queue.consume(c1, 0);
        queue.consume(c2, 0);
        queue.publish("a");
        queue.takeDeliveries();

        queue.apply(new QueueCommand.ConsumerDown(c1));

        assertThat(queue.takeDeliveries()).singleElement().satisfies(d -> {
            assertThat(d.consumer()).isEqualTo(c2);
            assertThat(d.redelivered()).isTrue();
        });
    }

    @Test
    void cancelledConsumerKeepsItsMessagesUntilItSettlesThem() {
        queue.publish("a");
        queue.consume(c1, 0);
        long a = queue.takeDeliveries().get(0).messageId();

        queue.apply(new QueueCommand.Cancel(c1));
        queue.publish("b");

        assertThat(queue.takeDeliveries()).isEmpty();
        assertThat(queue.state.checkedOutBy(c1)).containsExactly(a);
        queue.requeue(c1, a);
        assertThat(queue.state.consumers.get(c1)).isNull();
        assertThat(queue.state.readyCount()).isEqualTo(2);
    }

    @Test
    void exclusiveConsumeIsRefusedWhenTheQueueHasConsumersAndExcludesLaterOnes() {
        queue.consume(c1, 0);
        assertThat(queue.apply(new QueueCommand.Checkout(c2, 0, 0, true)).code())
                .isEqualTo(Reply.Code.CONSUMER_REFUSED);

        queue.apply(new QueueCommand.ConsumerDown(c1));
        assertThat(queue.apply(new QueueCommand.Checkout(c2, 0, 0, true)).code()).isEqualTo(Reply.Code.OK);
        assertThat(queue.apply(new QueueCommand.Checkout(c3, 0, 0, false)).code())
                .isEqualTo(Reply.Code.CONSUMER_REFUSED);
    }

    @Test
    void nodeDownReturnsTheMessagesHeldByItsConsumersOnly() {
        ConsumerId onN1 = consumer("n1", "x");
        ConsumerId alsoOnN1 = new ConsumerId("n1", 8, 3, "y");
        ConsumerId onN2 = consumer("n2", "z");
        queue.consume(onN1, 1);
        queue.consume(alsoOnN1, 1);
        queue.consume(onN2, 1);
        queue.publish("a");
        queue.publish("b");
        queue.publish("c");
        queue.takeDeliveries();

        queue.apply(new QueueCommand.NodeDown("n1"));

        assertThat(queue.state.consumerCount()).isEqualTo(1);
        assertThat(queue.state.readyCount()).isEqualTo(2);
        assertThat(queue.state.checkedOutBy(onN2)).hasSize(1);
        queue.consume(consumer("n3", "new"), 0);
        List<Deliver> redelivered = queue.takeDeliveries();
        assertThat(bodies(redelivered)).containsExactly("a", "b");
        assertThat(redelivered).allSatisfy(d -> assertThat(d.redelivered()).isTrue());
    }

    @Test
    void nodeDownForgetsThatNodesPublishers() {
        QueueCommand.Enqueue enqueue = new QueueCommand.Enqueue(QueueDriver.PUBLISHER, 1, 0, -1, new byte[] {1});
        queue.apply(enqueue);

        queue.apply(new QueueCommand.NodeDown(QueueDriver.PUBLISHER.node()));

        assertThat(queue.apply(enqueue).code()).isEqualTo(Reply.Code.OK);
    }

    @Test
    void basicGetWithAutoAckTakesTheNextMessageForGood() {
        ConsumerId getter = consumer("n2", "");
        queue.publish("a");
        queue.publish("b");

        Reply reply = queue.apply(new QueueCommand.Dequeue(getter, true));

        assertThat(reply).isEqualTo(new Reply(Reply.Code.OK, 1));
        assertThat(queue.takeDeliveries()).singleElement().satisfies(d -> {
            assertThat(d.consumer()).isEqualTo(getter);
            assertThat(QueueDriver.body(d)).isEqualTo("a");
        });
        assertThat(queue.state.checkedOutCount()).isZero();
        assertThat(queue.state.readyCount()).isEqualTo(1);
    }

    @Test
    void basicGetWithoutAckHoldsTheMessageUntilTheChannelSettlesOrCloses() {
        ConsumerId getter = consumer("n2", "");
        queue.publish("a");
        queue.publish("b");
        queue.apply(new QueueCommand.Dequeue(getter, false));
        queue.apply(new QueueCommand.Dequeue(getter, false));
        List<Deliver> got = queue.takeDeliveries();

        queue.ack(getter, got.get(0).messageId());
        assertThat(queue.state.checkedOutBy(getter)).containsExactly(got.get(1).messageId());
        assertThat(queue.state.consumerCount()).as("a getter is not a consumer").isZero();

        queue.apply(new QueueCommand.ConsumerDown(getter));
        assertThat(queue.state.readyCount()).isEqualTo(1);
        assertThat(queue.state.consumers.get(getter)).isNull();
    }

    @Test
    void basicGetOnAnEmptyQueueSaysSo() {
        assertThat(queue.apply(new QueueCommand.Dequeue(consumer("n1", ""), true)).code())
                .isEqualTo(Reply.Code.EMPTY);
    }
}
