package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.CancelCallback;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DeliverCallback;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** queue.declare / bind / unbind / purge / delete, exclusivity and auto-delete. */
class QueueTest extends AbstractBrokerIT {

    private static final DeliverCallback IGNORE = (tag, delivery) -> { };
    private static final CancelCallback NO_CANCEL = tag -> { };

    @Test
    void serverNamedQueueGetsAmqGenName() throws Exception {
        Channel ch = openChannel();
        AMQP.Queue.DeclareOk ok = ch.queueDeclare();
        assertThat(ok.getQueue()).startsWith("amq.gen-").hasSizeGreaterThan("amq.gen-".length());
        assertThat(ok.getMessageCount()).isZero();
        assertThat(ok.getConsumerCount()).isZero();
        AMQP.Queue.DeclareOk other = ch.queueDeclare("", false, true, true, null);
        assertThat(other.getQueue()).startsWith("amq.gen-").isNotEqualTo(ok.getQueue());
        assertThat(ch.queueDeclarePassive(ok.getQueue()).getQueue()).isEqualTo(ok.getQueue());
    }

    @Test
    void unbindWithEmptyQueueAndKeyRemovesTheBindingThatBindMadeWithThem() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch); // the channel's most recently declared queue
        ch.queueBind("", "amq.direct", ""); // empty queue and key: both mean that queue's name
        publishConfirmed(ch, "amq.direct", q, "bound");
        assertThat(getText(ch, q)).isEqualTo("bound");

        ch.queueUnbind("", "amq.direct", "");

        publishConfirmed(ch, "amq.direct", q, "unbound");
        assertThat(ch.basicGet(q, true)).as("the binding is gone").isNull();
    }

    @Test
    void passiveDeclareOfMissingQueueIsNotFound() throws Exception {
        Channel ch = openChannel();
        assertChannelError(ch, NOT_FOUND, () -> ch.queueDeclarePassive(unique("missing")));
    }

    @Test
    void redeclareWithSameAttributesIsIdempotent() throws Exception {
        Channel ch = openChannel();
        String q = queueToDelete(unique("q.same"));
        ch.queueDeclare(q, true, false, false, Map.of("x-message-ttl", 60_000));
        publishConfirmed(ch, "", q, "kept");
        AMQP.Queue.DeclareOk ok = ch.queueDeclare(q, true, false, false, Map.of("x-message-ttl", 60_000));
        assertThat(ok.getQueue()).isEqualTo(q);
        assertThat(ok.getMessageCount()).isEqualTo(1);
    }

    @Test
    void redeclareWithDifferentDurabilityIsPreconditionFailed() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch); // non-durable
        assertChannelError(ch, PRECONDITION_FAILED, () -> ch.queueDeclare(q, true, false, false, null));
    }

    @Test
    void redeclareWithDifferentAutoDeleteIsPreconditionFailed() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        assertChannelError(ch, PRECONDITION_FAILED, () -> ch.queueDeclare(q, false, false, true, null));
    }

    @Test
    void redeclareWithDifferentArgumentsIsPreconditionFailed() throws Exception {
        Channel ch = openChannel();
        String q = queueToDelete(unique("q.args"));
        ch.queueDeclare(q, false, false, false, Map.of("x-message-ttl", 60_000));
        assertChannelError(ch, PRECONDITION_FAILED,
                () -> ch.queueDeclare(q, false, false, false, Map.of("x-message-ttl", 30_000)));
    }

    @Test
    void declaringAmqPrefixedQueueIsAccessRefused() throws Exception {
        Channel ch = openChannel();
        assertChannelError(ch, ACCESS_REFUSED,
                () -> ch.queueDeclare("amq.custom-" + System.nanoTime(), false, false, true, null));
    }

    @Test
    void declareOkReportsMessageAndConsumerCounts() throws Exception {
        Connection c = connect();
        Channel ch = c.createChannel();
        String withMessages = declareQueue(ch);
        publishConfirmed(ch, "", withMessages, "m0", "m1", "m2");
        AMQP.Queue.DeclareOk ok = ch.queueDeclarePassive(withMessages);
        assertThat(ok.getMessageCount()).isEqualTo(3);
        assertThat(ok.getConsumerCount()).isZero();
        ok = ch.queueDeclare(withMessages, false, false, false, null);
        assertThat(ok.getMessageCount()).isEqualTo(3);

        String withConsumers = declareQueue(ch);
        Channel consumers = c.createChannel();
        consumers.basicConsume(withConsumers, true, IGNORE, NO_CANCEL);
        consumers.basicConsume(withConsumers, true, IGNORE, NO_CANCEL);
        ok = ch.queueDeclarePassive(withConsumers);
        assertThat(ok.getConsumerCount()).isEqualTo(2);
        assertThat(ok.getMessageCount()).isZero();
    }

    @Test
    void exclusiveQueueIsLockedForOtherConnections() throws Exception {
        Channel owner = openChannel();
        String q = queueToDelete(unique("q.exclusive"));
        owner.queueDeclare(q, false, true, false, null);
        publish(owner, "", q, "owner may use it");
        assertThat(getText(owner, q)).isEqualTo("owner may use it");

        Connection other = connect();
        Channel passive = other.createChannel();
        assertChannelError(passive, RESOURCE_LOCKED, () -> passive.queueDeclarePassive(q));
        Channel consume = other.createChannel();
        assertChannelError(consume, RESOURCE_LOCKED, () -> consume.basicConsume(q, true, IGNORE, NO_CANCEL));
        Channel get = other.createChannel();
        assertChannelError(get, RESOURCE_LOCKED, () -> get.basicGet(q, true));
        Channel delete = other.createChannel();
        assertChannelError(delete, RESOURCE_LOCKED, () -> delete.queueDelete(q));
        // publishing to it from another connection is allowed
        Channel publisher = other.createChannel();
        publishConfirmed(publisher, "", q, "from elsewhere");
        assertThat(getText(owner, q)).isEqualTo("from elsewhere");
    }

    @Test
    void exclusiveQueueIsDeletedWhenItsConnectionCloses() throws Exception {
        Connection owner = connect();
        Channel ch = owner.createChannel();
        String q = queueToDelete(unique("q.exclusive"));
        ch.queueDeclare(q, false, true, false, null);
        publish(ch, "", q, "lost with the queue");
        assertThat(queueExists(owner, q)).isTrue();
        owner.close(5_000);
        Connection observer = connect();
        eventually("exclusive queue " + q + " deleted", () -> !queueExists(observer, q));
    }

    @Test
    void autoDeleteQueueIsDeletedAfterLastConsumerCancels() throws Exception {
        Connection c = connect();
        Channel ch = c.createChannel();
        String q = queueToDelete(unique("q.autodelete"));
        ch.queueDeclare(q, false, false, true, null);
        String tag1 = ch.basicConsume(q, true, IGNORE, NO_CANCEL);
        String tag2 = ch.basicConsume(q, true, IGNORE, NO_CANCEL);
        ch.basicCancel(tag1);
        assertThat(queueExists(c, q)).as("one consumer left").isTrue();
        ch.basicCancel(tag2);
        eventually("auto-delete queue " + q + " deleted", () -> !queueExists(c, q));
    }

    @Test
    void autoDeleteQueueWithoutConsumersEverIsKept() throws Exception {
        Connection c = connect();
        Channel ch = c.createChannel();
        String q = queueToDelete(unique("q.autodelete"));
        ch.queueDeclare(q, false, false, true, null);
        publish(ch, "", q, "kept");
        assertThat(queueExists(c, q)).isTrue();
        assertThat(getText(ch, q)).isEqualTo("kept");
        assertThat(queueExists(c, q)).isTrue();
    }

    @Test
    void purgeReturnsNumberOfMessagesRemoved() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        publishConfirmed(ch, "", q, "m0", "m1", "m2", "m3", "m4", "m5", "m6");
        assertThat(ch.queuePurge(q).getMessageCount()).isEqualTo(7);
        assertThat(ch.basicGet(q, true)).isNull();
        assertThat(ch.queuePurge(q).getMessageCount()).isZero();
    }

    @Test
    void purgeOfMissingQueueIsNotFound() throws Exception {
        Channel ch = openChannel();
        assertChannelError(ch, NOT_FOUND, () -> ch.queuePurge(unique("missing")));
    }

    @Test
    void deleteIfUnusedOfQueueWithConsumerIsPreconditionFailed() throws Exception {
        Connection c = connect();
        Channel consumer = c.createChannel();
        String q = declareQueue(consumer);
        consumer.basicConsume(q, true, IGNORE, NO_CANCEL);
        Channel ch = c.createChannel();
        assertChannelError(ch, PRECONDITION_FAILED, () -> ch.queueDelete(q, true, false));
        assertThat(queueExists(c, q)).isTrue();
    }

    @Test
    void deleteIfEmptyOfQueueWithMessagesIsPreconditionFailed() throws Exception {
        Connection c = connect();
        Channel ch = c.createChannel();
        String q = declareQueue(ch);
        publishConfirmed(ch, "", q, "not empty");
        assertChannelError(ch, PRECONDITION_FAILED, () -> ch.queueDelete(q, false, true));
        assertThat(queueExists(c, q)).isTrue();
        assertThat(messageCount(c, q)).isEqualTo(1);
    }

    @Test
    void deleteIfUnusedAndIfEmptySucceedOnIdleEmptyQueue() throws Exception {
        Connection c = connect();
        Channel ch = c.createChannel();
        String q = declareQueue(ch);
        assertThat(ch.queueDelete(q, true, true).getMessageCount()).isZero();
        assertThat(queueExists(c, q)).isFalse();
    }

    @Test
    void deleteReturnsMessageCount() throws Exception {
        Connection c = connect();
        Channel ch = c.createChannel();
        String q = declareQueue(ch);
        publishConfirmed(ch, "", q, "m0", "m1", "m2", "m3");
        assertThat(ch.queueDelete(q).getMessageCount()).isEqualTo(4);
        assertThat(queueExists(c, q)).isFalse();
    }

    @Test
    void deletingMissingQueueSucceedsWithZeroCount() throws Exception {
        Channel ch = openChannel();
        assertThat(ch.queueDelete(unique("missing")).getMessageCount()).isZero();
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void bindAndUnbind() throws Exception {
        Channel ch = openChannel();
        String x = declareExchange(ch, "direct");
        String q = declareQueue(ch);
        ch.queueBind(q, x, "k1");
        ch.queueBind(q, x, "k2");
        ch.queueBind(q, x, "k2"); // binding twice is idempotent
        publish(ch, x, "k1", "one");
        publish(ch, x, "k2", "two");
        assertThat(getText(ch, q)).isEqualTo("one");
        assertThat(getText(ch, q)).isEqualTo("two");
        assertThat(ch.basicGet(q, true)).isNull();

        ch.queueUnbind(q, x, "k1");
        publish(ch, x, "k1", "unbound");
        publish(ch, x, "k2", "still bound");
        assertThat(getText(ch, q)).isEqualTo("still bound");
        assertThat(ch.basicGet(q, true)).isNull();
        ch.queueUnbind(q, x, "k1"); // unbinding a missing binding is not an error
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void bindToMissingExchangeIsNotFound() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        assertChannelError(ch, NOT_FOUND, () -> ch.queueBind(q, unique("missing"), "k"));
    }

    @Test
    void bindMissingQueueIsNotFound() throws Exception {
        Channel ch = openChannel();
        String x = declareExchange(ch, "direct");
        assertChannelError(ch, NOT_FOUND, () -> ch.queueBind(unique("missing"), x, "k"));
    }

    @Test
    void queueDeleteRemovesItsBindings() throws Exception {
        Channel ch = openChannel();
        String x = declareExchange(ch, "fanout");
        String q = declareQueue(ch);
        ch.queueBind(q, x, "");
        ch.queueDelete(q);
        ch.queueDeclare(q, false, false, false, null);
        publish(ch, x, "", "no binding survives");
        assertThat(ch.basicGet(q, true)).isNull();
    }
}
