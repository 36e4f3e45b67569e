package dev.ferrymq.cluster.quorum;

import static dev.ferrymq.cluster.quorum.QueueDriver.bodies;
import static dev.ferrymq.cluster.quorum.QueueDriver.consumer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymq.cluster.quorum.Effect.DeadLetter;
import dev.ferrymq.cluster.quorum.Effect.Deliver;
import dev.ferrymq.cluster.quorum.Effect.EnqueueSettled;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeadLetteringTest {
    private final QueueDriver queue = new QueueDriver();
    private final ConsumerId c1 = consumer("n1", "c1");

    private static QueueConfig config(int deliveryLimit, long maxLength, long maxBytes, Overflow overflow,
                                      long ttl) {
        return new QueueConfig(deliveryLimit, maxLength, maxBytes, overflow, ttl, false);
    }

    @Test
    void deliveryLimitDeadLettersOnTheReturnPastTheLimit() {
        queue.configure(config(2, -1, -1, Overflow.DROP_HEAD, -1));
        queue.publish("poison");
        queue.consume(c1, 1);

        for (int returns = 1; returns <= 2; returns++) {
            Deliver d = queue.takeDeliveries().get(0);
            queue.requeue(c1, d.messageId());
        }
        Deliver third = queue.ofType(Deliver.class).get(0);
        assertThat(third.deliveryCount()).isEqualTo(2);
        queue.requeue(c1, third.messageId());

        List<DeadLetter> dead = queue.takeDeadLetters();
        assertThat(dead).singleElement().satisfies(d -> {
            assertThat(d.reason()).isEqualTo(DeadLetterReason.DELIVERY_LIMIT);
            assertThat(d.reason().wireName()).isEqualTo("delivery_limit");
            assertThat(d.deliveryCount()).isEqualTo(3);
        });
        assertThat(queue.state.readyCount()).isZero();
        assertThat(queue.state.checkedOutCount()).isZero();
    }

    @Test
    void defaultDeliveryLimitIsTwentyAsInRabbitMq4() {
        queue.publish("poison");
        queue.consume(c1, 1);

        int deliveries = 0;
        while (queue.state.readyCount() + queue.state.checkedOutCount() > 0) {
            Deliver d = queue.takeDeliveries().get(0);
            deliveries++;
            queue.requeue(c1, d.messageId());
        }

        assertThat(deliveries).isEqualTo(21);
        assertThat(queue.takeDeadLetters()).singleElement()
                .extracting(DeadLetter::reason).isEqualTo(DeadLetterReason.DELIVERY_LIMIT);
    }

    @Test
    void negativeDeliveryLimitMeansUnlimited() {
        queue.configure(config(-1, -1, -1, Overflow.DROP_HEAD, -1));
        queue.publish("a");
        queue.consume(c1, 1);
        for (int i = 0; i < 30; i++) {
            queue.requeue(c1, queue.takeDeliveries().get(0).messageId());
        }
        assertThat(queue.takeDeliveries()).singleElement().extracting(Deliver::deliveryCount).isEqualTo(30);
    }

    @Test
    void rejectWithoutRequeueDeadLettersAsRejected() {
        queue.publish("bad");
        queue.consume(c1, 1);
        long id = queue.takeDeliveries().get(0).messageId();

        queue.reject(c1, id);

        assertThat(queue.takeDeadLetters()).singleElement().satisfies(d -> {
            assertThat(d.reason()).isEqualTo(DeadLetterReason.REJECTED);
            assertThat(QueueDriver.body(d)).isEqualTo("bad");
        });
        assertThat(queue.state.checkedOutCount()).isZero();
    }

    @Test
    void queueTtlExpiresOnTheLeaderTimestampCarriedByTheEntry() {
        queue.configure(config(20, -1, -1, Overflow.DROP_HEAD, 500));
        queue.publish("short-lived");

        queue.time += 499;
        queue.apply(new QueueCommand.Tick());
        assertThat(queue.takeDeadLetters()).isEmpty();

        queue.time += 1;
        queue.apply(new QueueCommand.Tick());
        assertThat(queue.takeDeadLetters()).singleElement()
                .extracting(DeadLetter::reason).isEqualTo(DeadLetterReason.EXPIRED);
        assertThat(queue.state.readyCount()).isZero();
    }

    @Test
    void nextExpiryTellsTheLeaderWhenToProposeATick() {
        queue.configure(config(20, -1, -1, Overflow.DROP_HEAD, 500));
        assertThat(queue.state.nextExpiry()).isEqualTo(-1);

        queue.publish("a");

        assertThat(queue.state.nextExpiry()).isEqualTo(queue.time + 500);
    }

    @Test
    void expiredMessageIsNotDeliveredToANewConsumer() {
        queue.publish("old", 0, 100);
        queue.publish("fresh");

        queue.time += 100;
        queue.consume(c1, 0);

        assertThat(bodies(queue.ofType(Deliver.class))).containsExactly("fresh");
        assertThat(queue.ofType(DeadLetter.class)).extracting(DeadLetter::reason)
                .containsExactly(DeadLetterReason.EXPIRED);
    }

    @Test
    void messageExpirationShorterThanTheQueueTtlWins() {
        queue.configure(config(20, -1, -1, Overflow.DROP_HEAD, 10_000));
        queue.publish("a", 0, 50);

        queue.time += 50;
        queue.apply(new QueueCommand.Tick());

        assertThat(queue.takeDeadLetters()).hasSize(1);
    }

    @Test
    void aLeaderClockBehindThePreviousOneDoesNotTurnTimeBack() {
        queue.configure(config(20, -1, -1, Overflow.DROP_HEAD, 100));
        queue.time += 1_000;
        queue.apply(new QueueCommand.Tick());
        queue.time -= 1_000; // a new leader whose clock is a second behind
        queue.publish("a");

        queue.time += 100;
        queue.apply(new QueueCommand.Tick());

        // Stamped at the highest time seen (t+1000), so it is still alive at t+100.
        assertThat(queue.takeDeadLetters()).isEmpty();
    }

    @Test
    void dropHeadDeadLettersTheOldestAsMaxlen() {
        queue.configure(config(20, 2, -1, Overflow.DROP_HEAD, -1));
        queue.publish("a");
        queue.publish("b");
        queue.publish("c");

        assertThat(queue.takeDeadLetters()).singleElement().satisfies(d -> {
            assertThat(QueueDriver.body(d)).isEqualTo("a");
            assertThat(d.reason()).isEqualTo(DeadLetterReason.MAXLEN);
        });
        queue.consume(c1, 0);
        assertThat(bodies(queue.takeDeliveries())).containsExactly("b", "c");
    }

    @Test
    void dropHeadAlsoAppliesToMaxLengthBytes() {
        queue.configure(config(20, -1, 5, Overflow.DROP_HEAD, -1));
        queue.publish("abc");
        queue.publish("def");

        assertThat(queue.takeDeadLetters()).extracting(QueueDriver::body).containsExactly("abc");
        assertThat(queue.state.readyBytes()).isEqualTo(3);
    }

    @Test
    void rejectPublishRefusesNewMessagesWhileFull() {
        queue.configure(config(20, 2, -1, Overflow.REJECT_PUBLISH, -1));
        queue.publish("a");
        queue.publish("b");

        Reply refused = queue.publish("c");

        assertThat(refused.code()).isEqualTo(Reply.Code.REJECTED);
        assertThat(refused.accepted()).isFalse();
        assertThat(queue.ofType(EnqueueSettled.class)).extracting(EnqueueSettled::accepted)
                .containsExactly(true, true, false);
        assertThat(queue.ofType(DeadLetter.class)).isEmpty();
        assertThat(queue.state.readyCount()).isEqualTo(2);

        queue.consume(c1, 1);
        assertThat(queue.publish("d").accepted()).isTrue();
    }

    @Test
    void messagesHeldByConsumersDoNotCountTowardsTheLength() {
        queue.configure(config(20, 1, -1, Overflow.REJECT_PUBLISH, -1));
        queue.consume(c1, 1);

        assertThat(queue.publish("a").accepted()).isTrue();
        assertThat(queue.publish("b").accepted()).isTrue();
        assertThat(queue.publish("c").accepted()).isFalse();
    }
}
