package dev.ferrymq.broker.queue.classic;

import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.broker.FakeConsumer;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.broker.queue.ExclusiveOwner;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.queue.QueueEntry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.ferrymq.broker.Messages.body;
import static dev.ferrymq.broker.Messages.msg;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QueueTest {
    private final ExclusiveOwner conn = new ExclusiveOwner() { };
    private VirtualHost vhost;
    private Queue queue;

    @BeforeEach
    void setUp() {
        vhost = new VirtualHost("/");
        queue = declare("q", false);
    }

    private Queue declare(String name, boolean autoDelete) {
        return vhost.declareQueue(name, false, false, false, autoDelete, Map.of(), conn).queue();
    }

    private void publish(String... bodies) {
        for (String b : bodies) {
            queue.publish(msg(b), Queue.NOT_STORED, null);
        }
    }

    private List<String> drainGets() {
        List<String> out = new ArrayList<>();
        QueueEntry e;
        while ((e = queue.get(true)) != null) {
            out.add(body(e));
        }
        return out;
    }

    @Test
    void deliversToASingleConsumerInPublishOrder() {
        FakeConsumer c = new FakeConsumer("c");
        queue.addConsumer(c, false);
        publish("1", "2", "3", "4");
        assertThat(c.bodies()).containsExactly("1", "2", "3", "4");
        assertThat(queue.messageCount()).isZero();
        assertThat(queue.unackedCount()).isEqualTo(4);
    }

    @Test
    void messagesPublishedBeforeTheConsumerAreDeliveredWhenItIsAdded() {
        publish("1", "2");
        FakeConsumer c = new FakeConsumer("c");
        queue.addConsumer(c, false);
        assertThat(c.bodies()).containsExactly("1", "2");
    }

    @Test
    void noAckConsumerDeliveriesAreNotCountedAsUnacked() {
        FakeConsumer c = new FakeConsumer("c", true);
        queue.addConsumer(c, false);
        publish("1", "2");
        assertThat(c.bodies()).containsExactly("1", "2");
        assertThat(queue.unackedCount()).isZero();
    }

    @Test
    void distributesRoundRobinBetweenTwoConsumers() {
        FakeConsumer a = new FakeConsumer("a");
        FakeConsumer b = new FakeConsumer("b");
        queue.addConsumer(a, false);
        queue.addConsumer(b, false);
        publish("1", "2", "3", "4", "5");
        assertThat(a.bodies()).containsExactly("1", "3", "5");
        assertThat(b.bodies()).containsExactly("2", "4");
    }

    @Test
    void refusingConsumerIsSkippedAndTheMessageGoesToTheNext() {
        FakeConsumer a = new FakeConsumer("a");
        FakeConsumer b = new FakeConsumer("b");
        queue.addConsumer(a, false);
        queue.addConsumer(b, false);
        a.refuse();
        publish("1", "2", "3");
        assertThat(a.delivered).isEmpty();
        assertThat(b.bodies()).containsExactly("1", "2", "3");
    }

    @Test
    void messageWaitsWhenAllConsumersRefuseAndIsDeliveredOnDispatchAfterCredit() {
        FakeConsumer a = new FakeConsumer("a");
        queue.addConsumer(a, false);
        a.refuse();
        publish("1", "2", "3");
        assertThat(a.delivered).isEmpty();
        assertThat(queue.messageCount()).isEqualTo(3);

        a.credit(2);
        queue.dispatch();
        assertThat(a.bodies()).containsExactly("1", "2");
        assertThat(queue.messageCount()).isEqualTo(1);
        assertThat(queue.unackedCount()).isEqualTo(2);

        a.credit(10);
        queue.dispatch();
        assertThat(a.bodies()).containsExactly("1", "2", "3");
        assertThat(queue.messageCount()).isZero();
    }

    @Test
    void getReturnsNullWhenEmpty() {
        assertThat(queue.get(false)).isNull();
        assertThat(queue.get(true)).isNull();
        assertThat(queue.unackedCount()).isZero();
    }

    @Test
    void getWithAckLeavesEntryUnackedAndMessageCountExcludesIt() {
        publish("1", "2", "3");
        QueueEntry first = queue.get(false);
        assertThat(body(first)).isEqualTo("1");
        assertThat(first.redelivered()).isFalse();
        assertThat(first.queue()).isSameAs(queue);
        assertThat(queue.messageCount()).isEqualTo(2);
        assertThat(queue.unackedCount()).isEqualTo(1);
    }

    @Test
    void getWithNoAckDoesNotCountUnacked() {
        publish("1", "2");
        assertThat(body(queue.get(true))).isEqualTo("1");
        assertThat(queue.messageCount()).isEqualTo(1);
        assertThat(queue.unackedCount()).isZero();
    }

    @Test
    void settleDecrementsUnacked() {
        publish("1", "2");
        QueueEntry a = queue.get(false);
        QueueEntry b = queue.get(false);
        assertThat(queue.unackedCount()).isEqualTo(2);
        queue.settle(a);
        assertThat(queue.unackedCount()).isEqualTo(1);
        queue.settle(b);
        assertThat(queue.unackedCount()).isZero();
        assertThat(queue.messageCount()).isZero();
    }

    @Test
    void requeuePutsEntriesBackAtTheirOriginalPositionsMarkedRedelivered() {
        publish("1", "2", "3", "4", "5");
        QueueEntry e1 = queue.get(false);
        QueueEntry e2 = queue.get(false);
        QueueEntry e3 = queue.get(false);
        assertThat(queue.unackedCount()).isEqualTo(3);

        queue.requeue(List.of(e3, e1));
        assertThat(queue.unackedCount()).isEqualTo(1); // e2 still out
        assertThat(queue.messageCount()).isEqualTo(4);

        QueueEntry n1 = queue.get(true);
        QueueEntry n2 = queue.get(true);
        assertThat(body(n1)).isEqualTo("1");
        assertThat(n1.redelivered()).isTrue();
        assertThat(body(n2)).isEqualTo("3");
        assertThat(n2.redelivered()).isTrue();
        QueueEntry n3 = queue.get(true);
        assertThat(body(n3)).isEqualTo("4");
        assertThat(n3.redelivered()).isFalse();
        assertThat(drainGets()).containsExactly("5");
        assertThat(e2.redelivered()).isFalse();
    }

    @Test
    void requeuedEntriesPrecedeMessagesPublishedAfterTheRequeue() {
        publish("1", "2");
        QueueEntry e1 = queue.get(false);
        publish("3");
        queue.requeue(List.of(e1));
        publish("4");
        assertThat(drainGets()).containsExactly("1", "2", "3", "4");
    }

    @Test
    void requeueRedeliversToAWaitingConsumer() {
        FakeConsumer c = new FakeConsumer("c");
        queue.addConsumer(c, false);
        publish("1", "2");
        List<QueueEntry> out = List.copyOf(c.delivered);
        queue.requeue(out);
        assertThat(c.bodies()).containsExactly("1", "2", "1", "2");
        assertThat(c.delivered.get(2).redelivered()).isTrue();
        assertThat(queue.unackedCount()).isEqualTo(2);
    }

    @Test
    void purgeReturnsReadyCountAndLeavesUnackedAlone() {
        publish("1", "2", "3", "4");
        QueueEntry e1 = queue.get(false);
        QueueEntry e2 = queue.get(false);
        queue.requeue(List.of(e2));
        assertThat(queue.purge()).isEqualTo(3); // 2 (requeued), 3, 4
        assertThat(queue.messageCount()).isZero();
        assertThat(queue.unackedCount()).isEqualTo(1);
        assertThat(queue.get(true)).isNull();
        queue.settle(e1);
        assertThat(queue.unackedCount()).isZero();
    }

    @Test
    void exclusiveConsumerIsRefusedWhenAnotherConsumerExists() {
        queue.addConsumer(new FakeConsumer("a"), false);
        assertThatThrownBy(() -> queue.addConsumer(new FakeConsumer("b"), true))
                .isInstanceOfSatisfying(BrokerException.class,
                        e -> assertThat(e.replyCode()).isEqualTo(BrokerException.ACCESS_REFUSED))
                .hasMessageStartingWith("ACCESS_REFUSED - ")
                .hasMessageContaining("in exclusive use");
        assertThat(queue.consumerCount()).isEqualTo(1);
    }

    @Test
    void anyConsumerIsRefusedWhileAnExclusiveConsumerExists() {
        FakeConsumer owner = new FakeConsumer("owner");
        queue.addConsumer(owner, true);
        assertThatThrownBy(() -> queue.addConsumer(new FakeConsumer("b"), false))
                .isInstanceOfSatisfying(BrokerException.class,
                        e -> assertThat(e.replyCode()).isEqualTo(403));
        assertThatThrownBy(() -> queue.addConsumer(new FakeConsumer("c"), true))
                .isInstanceOfSatisfying(BrokerException.class,
                        e -> assertThat(e.replyCode()).isEqualTo(403));
        assertThat(queue.consumerCount()).isEqualTo(1);
    }

    @Test
    void consumersCanBeAddedAgainAfterTheExclusiveConsumerIsRemoved() {
        FakeConsumer owner = new FakeConsumer("owner");
        queue.addConsumer(owner, true);
        queue.removeConsumer(owner);
        FakeConsumer a = new FakeConsumer("a");
        FakeConsumer b = new FakeConsumer("b");
        queue.addConsumer(a, false);
        queue.addConsumer(b, false);
        assertThat(queue.consumerCount()).isEqualTo(2);
    }

    @Test
    void removedConsumerNoLongerReceivesMessages() {
        FakeConsumer a = new FakeConsumer("a");
        FakeConsumer b = new FakeConsumer("b");
        queue.addConsumer(a, false);
        queue.addConsumer(b, false);
        queue.removeConsumer(a);
        publish("1", "2", "3");
        assertThat(a.delivered).isEmpty();
        assertThat(b.bodies()).containsExactly("1", "2", "3");
    }

    @Test
    void autoDeleteQueueIsNotDeletedBeforeItEverHadAConsumer() {
        Queue auto = declare("auto", true);
        assertThat(vhost.queues()).contains(auto);
        assertThat(auto.isDeleted()).isFalse();
        // an unrelated consumer removal does nothing
        auto.removeConsumer(new FakeConsumer("never-added"));
        assertThat(vhost.queues()).contains(auto);
        assertThat(auto.isDeleted()).isFalse();
    }

    @Test
    void autoDeleteQueueIsRemovedWithItsLastConsumer() {
        Queue auto = declare("auto", true);
        FakeConsumer a = new FakeConsumer("a");
        FakeConsumer b = new FakeConsumer("b");
        auto.addConsumer(a, false);
        auto.addConsumer(b, false);
        auto.removeConsumer(a);
        assertThat(auto.isDeleted()).isFalse();
        assertThat(vhost.queues()).contains(auto);
        auto.removeConsumer(b);
        assertThat(auto.isDeleted()).isTrue();
        assertThat(vhost.queues()).doesNotContain(auto);
        assertThatThrownBy(() -> vhost.queue("auto", conn))
                .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.replyCode()).isEqualTo(404));
    }

    @Test
    void autoDeleteQueueRemovalAlsoRemovesItsBindings() {
        Queue auto = declare("auto", true);
        vhost.bindQueue("auto", "amq.direct", "k", Map.of(), conn);
        FakeConsumer a = new FakeConsumer("a");
        auto.addConsumer(a, false);
        auto.removeConsumer(a);
        assertThat(vhost.exchange("amq.direct").router().isEmpty()).isTrue();
        assertThat(vhost.publish("amq.direct", "k", msg("x"), null).queues()).isZero();
    }

    @Test
    void nonAutoDeleteQueueSurvivesItsLastConsumer() {
        FakeConsumer a = new FakeConsumer("a");
        queue.addConsumer(a, false);
        queue.removeConsumer(a);
        assertThat(queue.isDeleted()).isFalse();
        assertThat(vhost.queues()).contains(queue);
    }

    @Test
    void deletingAQueueCancelsItsConsumers() {
        FakeConsumer a = new FakeConsumer("a");
        FakeConsumer b = new FakeConsumer("b");
        queue.addConsumer(a, false);
        queue.addConsumer(b, false);
        vhost.deleteQueue("q", false, false, conn);
        assertThat(a.cancelledBy).containsExactly(queue);
        assertThat(b.cancelledBy).containsExactly(queue);
        assertThat(queue.consumerCount()).isZero();
        assertThat(queue.isDeleted()).isTrue();
    }

    @Test
    void publishToADeletedQueueIsIgnored() {
        vhost.deleteQueue("q", false, false, conn);
        queue.publish(msg("late"), Queue.NOT_STORED, null);
        assertThat(queue.messageCount()).isZero();
        assertThat(queue.get(true)).isNull();
    }

    @Test
    void addingAConsumerToADeletedQueueIsNotFound() {
        vhost.deleteQueue("q", false, false, conn);
        assertThatThrownBy(() -> queue.addConsumer(new FakeConsumer("a"), false))
                .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.replyCode()).isEqualTo(404));
    }
}
