package dev.ferrymq.broker;

import dev.ferrymq.broker.queue.ExclusiveOwner;
import dev.ferrymq.broker.queue.Queue;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.ferrymq.broker.Messages.body;
import static dev.ferrymq.broker.Messages.msg;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VirtualHostTest {
    private final ExclusiveOwner conn = new ExclusiveOwner() { };
    private final ExclusiveOwner otherConn = new ExclusiveOwner() { };
    private VirtualHost vhost;

    @BeforeEach
    void setUp() {
        vhost = new VirtualHost("/");
    }

    private static BrokerException refused(Executable action) {
        try {
            action.execute();
        } catch (BrokerException e) {
            return e;
        } catch (Throwable t) {
            throw new AssertionError("expected BrokerException, got " + t, t);
        }
        throw new AssertionError("expected BrokerException, nothing thrown");
    }

    private Exchange exchange(String name, String type) {
        return vhost.declareExchange(name, type, false, false, false, false, Map.of());
    }

    private Queue queue(String name) {
        return vhost.declareQueue(name, false, false, false, false, Map.of(), conn).queue();
    }

    // ------------------------------------------------------------ exchanges

    @Test
    void builtInExchangesExistWithTheirTypes() {
        assertThat(vhost.exchange("amq.direct").type()).isEqualTo("direct");
        assertThat(vhost.exchange("amq.fanout").type()).isEqualTo("fanout");
        assertThat(vhost.exchange("amq.topic").type()).isEqualTo("topic");
        assertThat(vhost.exchange("amq.headers").type()).isEqualTo("headers");
        assertThat(vhost.exchange("amq.match").type()).isEqualTo("headers");
        assertThat(vhost.exchange("amq.direct").durable()).isTrue();
    }

    @Test
    void passiveDeclareOfMissingExchangeIsNotFound() {
        BrokerException e = refused(() -> vhost.declareExchange("nope", "direct", true, false, false, false,
                Map.of()));
        assertThat(e.replyCode()).isEqualTo(404);
        assertThat(e.getMessage()).isEqualTo("NOT_FOUND - no exchange 'nope' in vhost '/'");
    }

    @Test
    void passiveDeclareOfExistingExchangeReturnsIt() {
        Exchange x = exchange("x", "fanout");
        assertThat(vhost.declareExchange("x", "direct", true, true, true, true, Map.of())).isSameAs(x);
    }

    @Test
    void redeclaringExchangeWithSamePropertiesReturnsTheSameExchange() {
        Exchange x = exchange("x", "topic");
        assertThat(exchange("x", "topic")).isSameAs(x);
    }

    @Test
    void redeclaringExchangeWithAnotherTypeIsPreconditionFailed() {
        exchange("x", "direct");
        BrokerException e = refused(() -> exchange("x", "fanout"));
        assertThat(e.replyCode()).isEqualTo(406);
        assertThat(e.connectionLevel()).isFalse();
        assertThat(e.getMessage()).isEqualTo("PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'x' in"
                + " vhost '/': received 'fanout' but current is 'direct'");
    }

    @Test
    void redeclaringExchangeWithAnotherDurabilityIsPreconditionFailed() {
        exchange("x", "direct");
        BrokerException e = refused(() -> vhost.declareExchange("x", "direct", false, true, false, false,
                Map.of()));
        assertThat(e.replyCode()).isEqualTo(406);
        assertThat(e.getMessage()).isEqualTo("PRECONDITION_FAILED - inequivalent arg 'durable' for exchange 'x'"
                + " in vhost '/': received 'true' but current is 'false'");
    }

    @Test
    void declaringAnExchangeOfUnknownTypeIsCommandInvalid() {
        BrokerException e = refused(() -> exchange("x", "bogus"));
        assertThat(e.replyCode()).isEqualTo(503);
        assertThat(e.connectionLevel()).isTrue();
        assertThat(e.getMessage()).isEqualTo("COMMAND_INVALID - unknown exchange type 'bogus'");
        assertThat(vhost.exchanges()).extracting(Exchange::name).doesNotContain("x");
    }

    /** RabbitMQ checks the type (rabbit_exchange:check_type) before looking the exchange up. */
    @Test
    void redeclaringAnExistingExchangeWithUnknownTypeIsCommandInvalidLikeRabbitMq() {
        exchange("x", "direct");
        BrokerException e = refused(() -> exchange("x", "bogus"));
        assertThat(e.replyCode()).isEqualTo(503);
    }

    @Test
    void declaringANewAmqPrefixedExchangeIsAccessRefused() {
        BrokerException e = refused(() -> exchange("amq.x", "direct"));
        assertThat(e.replyCode()).isEqualTo(403);
        assertThat(e.getMessage()).isEqualTo(
                "ACCESS_REFUSED - exchange name 'amq.x' contains reserved prefix 'amq.*'");
    }

    @Test
    void redeclaringAmqDirectWithItsOwnPropertiesSucceeds() {
        Exchange amqDirect = vhost.exchange("amq.direct");
        assertThat(vhost.declareExchange("amq.direct", "direct", false, true, false, false, Map.of()))
                .isSameAs(amqDirect);
    }

    @Test
    void redeclaringAmqDirectWithOtherPropertiesIsPreconditionFailed() {
        assertThat(refused(() -> vhost.declareExchange("amq.direct", "direct", false, false, false, false,
                Map.of())).replyCode()).isEqualTo(406);
    }

    @Test
    void deletingABuiltInExchangeIsAccessRefused() {
        assertThat(refused(() -> vhost.deleteExchange("amq.direct", false)).replyCode()).isEqualTo(403);
        assertThat(vhost.exchange("amq.direct")).isNotNull();
    }

    @Test
    void defaultExchangeCannotBeDeclaredBoundOrDeleted() {
        queue("q");
        exchange("x", "direct");
        assertThat(refused(() -> exchange("", "direct")).replyCode()).isEqualTo(403);
        assertThat(refused(() -> vhost.declareExchange("", "direct", true, false, false, false, Map.of()))
                .replyCode()).isEqualTo(403);
        BrokerException bind = refused(() -> vhost.bindQueue("q", "", "q", Map.of(), conn));
        assertThat(bind.replyCode()).isEqualTo(403);
        assertThat(bind.getMessage()).isEqualTo("ACCESS_REFUSED - operation not permitted on the default exchange");
        assertThat(refused(() -> vhost.unbindQueue("q", "", "q", Map.of(), conn)).replyCode()).isEqualTo(403);
        assertThat(refused(() -> vhost.bindExchange("x", "", "k", Map.of())).replyCode()).isEqualTo(403);
        assertThat(refused(() -> vhost.bindExchange("", "x", "k", Map.of())).replyCode()).isEqualTo(403);
        assertThat(refused(() -> vhost.deleteExchange("", false)).replyCode()).isEqualTo(403);
    }

    @Test
    void deleteExchangeIfUnusedWithBindingsIsPreconditionFailed() {
        exchange("x", "direct");
        queue("q");
        vhost.bindQueue("q", "x", "k", Map.of(), conn);
        BrokerException e = refused(() -> vhost.deleteExchange("x", true));
        assertThat(e.replyCode()).isEqualTo(406);
        assertThat(e.getMessage()).isEqualTo("PRECONDITION_FAILED - exchange 'x' in vhost '/' in use");
        assertThat(vhost.exchange("x")).isNotNull();
    }

    @Test
    void deleteExchangeIfUnusedWithoutBindingsDeletesIt() {
        exchange("x", "direct");
        vhost.deleteExchange("x", true);
        assertThat(refused(() -> vhost.exchange("x")).replyCode()).isEqualTo(404);
    }

    @Test
    void deletingAnExchangeRemovesExchangeToExchangeBindingsToIt() {
        exchange("src", "fanout");
        exchange("dst", "fanout");
        vhost.bindExchange("dst", "src", "", Map.of());
        vhost.deleteExchange("dst", false);
        assertThat(vhost.exchange("src").router().isEmpty()).isTrue();
    }

    @Test
    void deletingMissingExchangeOrQueueSucceeds() {
        assertThatCode(() -> vhost.deleteExchange("missing", false)).doesNotThrowAnyException();
        assertThatCode(() -> vhost.deleteExchange("missing", true)).doesNotThrowAnyException();
        assertThat(vhost.deleteQueue("missing", true, true, conn)).isZero();
    }

    // ------------------------------------------------------------ queues

    @Test
    void declaringAQueueWithEmptyNameGeneratesAUniqueAmqGenName() {
        Queue a = queue("");
        Queue b = queue("");
        assertThat(a.name()).startsWith("amq.gen-").hasSizeGreaterThan("amq.gen-".length() + 10);
        assertThat(b.name()).startsWith("amq.gen-").isNotEqualTo(a.name());
        assertThat(vhost.queue(a.name(), conn)).isSameAs(a);
    }

    @Test
    void declaringAQueueWithReservedPrefixIsAccessRefused() {
        BrokerException e = refused(() -> queue("amq.mine"));
        assertThat(e.replyCode()).isEqualTo(403);
        assertThat(e.getMessage()).isEqualTo(
                "ACCESS_REFUSED - queue name 'amq.mine' contains reserved prefix 'amq.*'");
    }

    @Test
    void declareQueueReportsCounts() {
        Queue q = queue("q");
        q.publish(msg("1"), Queue.NOT_STORED, null);
        q.publish(msg("2"), Queue.NOT_STORED, null);
        q.get(false);
        FakeConsumer refusing = new FakeConsumer("c");
        refusing.refuse();
        q.addConsumer(refusing, false);
        VirtualHost.DeclaredQueue again = vhost.declareQueue("q", false, false, false, false, Map.of(), conn);
        assertThat(again.queue()).isSameAs(q);
        assertThat(again.messageCount()).isEqualTo(1);
        assertThat(again.consumerCount()).isEqualTo(1);
        VirtualHost.DeclaredQueue passive = vhost.declareQueue("q", true, true, true, true, Map.of(), conn);
        assertThat(passive.queue()).isSameAs(q);
        assertThat(passive.messageCount()).isEqualTo(1);
    }

    @Test
    void passiveDeclareOfMissingQueueIsNotFound() {
        BrokerException e = refused(() -> vhost.declareQueue("nope", true, false, false, false, Map.of(), conn));
        assertThat(e.replyCode()).isEqualTo(404);
        assertThat(e.getMessage()).isEqualTo("NOT_FOUND - no queue 'nope' in vhost '/'");
    }

    @Test
    void exclusiveQueueIsLockedToOtherConnections() {
        Queue q = vhost.declareQueue("ex", false, false, true, false, Map.of(), conn).queue();
        assertThat(q.owner()).isSameAs(conn);
        assertThat(refused(() -> vhost.queue("ex", otherConn)).replyCode()).isEqualTo(405);
        assertThat(refused(() -> vhost.declareQueue("ex", false, false, true, false, Map.of(), otherConn))
                .replyCode()).isEqualTo(405);
        assertThat(refused(() -> vhost.declareQueue("ex", true, false, true, false, Map.of(), otherConn))
                .replyCode()).isEqualTo(405);
        assertThat(refused(() -> vhost.bindQueue("ex", "amq.direct", "k", Map.of(), otherConn)).replyCode())
                .isEqualTo(405);
        assertThat(refused(() -> vhost.purgeQueue("ex", otherConn)).replyCode()).isEqualTo(405);
        BrokerException delete = refused(() -> vhost.deleteQueue("ex", false, false, otherConn));
        assertThat(delete.replyCode()).isEqualTo(405);
        assertThat(delete.getMessage()).startsWith("RESOURCE_LOCKED - cannot obtain exclusive access to locked"
                + " queue 'ex' in vhost '/'");
        assertThat(vhost.queue("ex", conn)).isSameAs(q);
    }

    /** RabbitMQ's assert_equivalence runs check_exclusive_access(Q, Owner, strict): a mismatch is 405. */
    @Test
    void redeclaringASharedQueueAsExclusiveIsResourceLockedLikeRabbitMq() {
        queue("q");
        BrokerException e = refused(() -> vhost.declareQueue("q", false, false, true, false, Map.of(), conn));
        assertThat(e.replyCode()).isEqualTo(405);
    }

    @Test
    void ownerRedeclaringItsExclusiveQueueAsNonExclusiveIsResourceLockedLikeRabbitMq() {
        vhost.declareQueue("ex", false, false, true, false, Map.of(), conn);
        BrokerException e = refused(() -> vhost.declareQueue("ex", false, false, false, false, Map.of(), conn));
        assertThat(e.replyCode()).isEqualTo(405);
    }

    @Test
    void ownerCanRedeclareItsExclusiveQueue() {
        Queue q = vhost.declareQueue("ex", false, false, true, false, Map.of(), conn).queue();
        assertThat(vhost.declareQueue("ex", false, false, true, false, Map.of(), conn).queue()).isSameAs(q);
    }

    @Test
    void redeclaringQueueWithAnotherDurabilityIsPreconditionFailed() {
        queue("q");
        BrokerException e = refused(() -> vhost.declareQueue("q", false, true, false, false, Map.of(), conn));
        assertThat(e.replyCode()).isEqualTo(406);
        assertThat(e.getMessage()).isEqualTo("PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'q' in"
                + " vhost '/': received 'true' but current is 'false'");
    }

    @Test
    void redeclaringQueueWithAnotherAutoDeleteIsPreconditionFailed() {
        queue("q");
        assertThat(refused(() -> vhost.declareQueue("q", false, false, false, true, Map.of(), conn)).replyCode())
                .isEqualTo(406);
    }

    @Test
    void redeclaringQueueWithDifferentXArgumentIsPreconditionFailed() {
        vhost.declareQueue("q", false, false, false, false, Map.of("x-max-length", 10), conn);
        BrokerException changed = refused(() -> vhost.declareQueue("q", false, false, false, false,
                Map.of("x-max-length", 20), conn));
        assertThat(changed.replyCode()).isEqualTo(406);
        assertThat(changed.getMessage()).contains("inequivalent arg 'x-max-length' for queue 'q'");
        BrokerException missing = refused(() -> vhost.declareQueue("q", false, false, false, false, Map.of(),
                conn));
        assertThat(missing.replyCode()).isEqualTo(406);
        BrokerException added = refused(() -> vhost.declareQueue("q", false, false, false, false,
                Map.of("x-max-length", 10, "x-message-ttl", 1000), conn));
        assertThat(added.replyCode()).isEqualTo(406);
        assertThat(added.getMessage()).contains("'x-message-ttl'");
    }

    @Test
    void redeclaringQueueWithDifferentNonXArgumentsIsAccepted() {
        Queue q = vhost.declareQueue("q", false, false, false, false,
                Map.of("x-max-length", 10, "note", "a"), conn).queue();
        assertThat(vhost.declareQueue("q", false, false, false, false,
                Map.of("x-max-length", 10, "note", "b", "other", 1), conn).queue()).isSameAs(q);
        assertThat(vhost.declareQueue("q", false, false, false, false, Map.of("x-max-length", 10), conn)
                .queue()).isSameAs(q);
    }

    @Test
    void redeclaringExchangeWithDifferentXArgumentIsPreconditionFailedButOtherArgumentsAreNot() {
        Exchange x = vhost.declareExchange("x", "direct", false, false, false, false,
                Map.of("x-opt", "1", "comment", "a"));
        assertThat(vhost.declareExchange("x", "direct", false, false, false, false,
                Map.of("x-opt", "1", "comment", "b"))).isSameAs(x);
        assertThat(refused(() -> vhost.declareExchange("x", "direct", false, false, false, false,
                Map.of("x-opt", "2"))).replyCode()).isEqualTo(406);
    }

    @Test
    void deleteQueueIfUnusedWithConsumersIsPreconditionFailed() {
        Queue q = queue("q");
        q.addConsumer(new FakeConsumer("c"), false);
        BrokerException e = refused(() -> vhost.deleteQueue("q", true, false, conn));
        assertThat(e.replyCode()).isEqualTo(406);
        assertThat(e.getMessage()).isEqualTo("PRECONDITION_FAILED - queue 'q' in vhost '/' in use");
        assertThat(q.isDeleted()).isFalse();
    }

    @Test
    void deleteQueueIfEmptyWithMessagesIsPreconditionFailed() {
        Queue q = queue("q");
        q.publish(msg("1"), Queue.NOT_STORED, null);
        BrokerException e = refused(() -> vhost.deleteQueue("q", false, true, conn));
        assertThat(e.replyCode()).isEqualTo(406);
        assertThat(e.getMessage()).isEqualTo("PRECONDITION_FAILED - queue 'q' in vhost '/' not empty");
        assertThat(q.isDeleted()).isFalse();
    }

    @Test
    void deleteQueueReturnsTheReadyMessageCount() {
        Queue q = queue("q");
        q.publish(msg("1"), Queue.NOT_STORED, null);
        q.publish(msg("2"), Queue.NOT_STORED, null);
        q.publish(msg("3"), Queue.NOT_STORED, null);
        q.get(false);
        assertThat(vhost.deleteQueue("q", true, false, conn)).isEqualTo(2);
        assertThat(q.isDeleted()).isTrue();
        assertThat(vhost.queues()).doesNotContain(q);
    }

    @Test
    void deletingAQueueRemovesItsBindings() {
        queue("q");
        vhost.bindQueue("q", "amq.topic", "#", Map.of(), conn);
        vhost.deleteQueue("q", false, false, conn);
        assertThat(vhost.exchange("amq.topic").router().isEmpty()).isTrue();
        Queue fresh = queue("q");
        assertThat(vhost.publish("amq.topic", "a", msg("1"), null).queues()).isZero();
        assertThat(fresh.messageCount()).isZero();
    }

    @Test
    void connectionClosedDeletesOnlyThatOwnersExclusiveQueues() {
        Queue mine = vhost.declareQueue("mine", false, false, true, false, Map.of(), conn).queue();
        Queue theirs = vhost.declareQueue("theirs", false, false, true, false, Map.of(), otherConn).queue();
        Queue shared = queue("shared");
        FakeConsumer c = new FakeConsumer("c");
        mine.addConsumer(c, false);

        vhost.connectionClosed(conn);

        assertThat(mine.isDeleted()).isTrue();
        assertThat(c.cancelledBy).containsExactly(mine);
        assertThat(vhost.queues()).containsExactlyInAnyOrder(theirs, shared);
        assertThat(theirs.isDeleted()).isFalse();
        assertThat(shared.isDeleted()).isFalse();
    }

    // ------------------------------------------------------------ routing

    @Test
    void publishToTheDefaultExchangeReachesTheQueueNamedByTheRoutingKey() {
        Queue q = queue("orders");
        assertThat(vhost.publish("", "orders", msg("1"), null).queues()).isEqualTo(1);
        assertThat(body(q.get(true))).isEqualTo("1");
        assertThat(vhost.publish("", "nobody", msg("2"), null).queues()).isZero();
    }

    @Test
    void publishToAMissingExchangeIsNotFound() {
        BrokerException e = refused(() -> vhost.publish("missing", "k", msg("1"), null));
        assertThat(e.replyCode()).isEqualTo(404);
        assertThat(e.getMessage()).isEqualTo("NOT_FOUND - no exchange 'missing' in vhost '/'");
    }

    @Test
    void publishToAnInternalExchangeIsAccessRefused() {
        vhost.declareExchange("int", "fanout", false, false, false, true, Map.of());
        queue("q");
        vhost.bindQueue("q", "int", "", Map.of(), conn);
        BrokerException e = refused(() -> vhost.publish("int", "k", msg("1"), null));
        assertThat(e.replyCode()).isEqualTo(403);
        assertThat(vhost.queue("q", conn).messageCount()).isZero();
    }

    @Test
    void internalExchangeStillRoutesWhenReachedThroughAnExchangeBinding() {
        vhost.declareExchange("int", "fanout", false, false, false, true, Map.of());
        Queue q = queue("q");
        vhost.bindQueue("q", "int", "", Map.of(), conn);
        vhost.bindExchange("int", "amq.fanout", "", Map.of());
        assertThat(vhost.publish("amq.fanout", "k", msg("1"), null).queues()).isEqualTo(1);
        assertThat(q.messageCount()).isEqualTo(1);
    }

    @Test
    void topicExchangeRoutesThroughABoundQueue() {
        Queue stocks = queue("stocks");
        Queue all = queue("all");
        vhost.bindQueue("stocks", "amq.topic", "stock.*.nyse", Map.of(), conn);
        vhost.bindQueue("all", "amq.topic", "#", Map.of(), conn);
        assertThat(vhost.publish("amq.topic", "stock.ibm.nyse", msg("1"), null).queues()).isEqualTo(2);
        assertThat(vhost.publish("amq.topic", "stock.ibm.lse", msg("2"), null).queues()).isEqualTo(1);
        assertThat(stocks.messageCount()).isEqualTo(1);
        assertThat(all.messageCount()).isEqualTo(2);
    }

    @Test
    void unboundQueueNoLongerReceives() {
        Queue q = queue("q");
        vhost.bindQueue("q", "amq.direct", "k", Map.of(), conn);
        vhost.unbindQueue("q", "amq.direct", "k", Map.of(), conn);
        assertThat(vhost.publish("amq.direct", "k", msg("1"), null).queues()).isZero();
        assertThat(q.messageCount()).isZero();
    }

    @Test
    void exchangeToExchangeBindingRoutes() {
        exchange("x1", "direct");
        exchange("x2", "fanout");
        Queue q = queue("q");
        vhost.bindExchange("x2", "x1", "k", Map.of());
        vhost.bindQueue("q", "x2", "", Map.of(), conn);
        assertThat(vhost.publish("x1", "k", msg("1"), null).queues()).isEqualTo(1);
        assertThat(vhost.publish("x1", "other", msg("2"), null).queues()).isZero();
        assertThat(q.messageCount()).isEqualTo(1);
        vhost.unbindExchange("x2", "x1", "k", Map.of());
        assertThat(vhost.publish("x1", "k", msg("3"), null).queues()).isZero();
    }

    @Test
    void exchangeBindingCycleTerminatesAndDeliversOncePerQueue() {
        exchange("x1", "fanout");
        exchange("x2", "fanout");
        Queue q1 = queue("q1");
        Queue q2 = queue("q2");
        vhost.bindExchange("x2", "x1", "", Map.of());
        vhost.bindExchange("x1", "x2", "", Map.of());
        vhost.bindQueue("q1", "x1", "", Map.of(), conn);
        vhost.bindQueue("q2", "x2", "", Map.of(), conn);
        vhost.bindQueue("q1", "x2", "", Map.of(), conn);

        assertThat(vhost.publish("x1", "k", msg("1"), null).queues()).isEqualTo(2);
        assertThat(q1.messageCount()).isEqualTo(1);
        assertThat(q2.messageCount()).isEqualTo(1);
        assertThat(vhost.publish("x2", "k", msg("2"), null).queues()).isEqualTo(2);
        assertThat(q1.messageCount()).isEqualTo(2);
    }

    @Test
    void selfBoundExchangeTerminates() {
        exchange("x", "fanout");
        Queue q = queue("q");
        vhost.bindExchange("x", "x", "", Map.of());
        vhost.bindQueue("q", "x", "", Map.of(), conn);
        assertThat(vhost.publish("x", "k", msg("1"), null).queues()).isEqualTo(1);
        assertThat(q.messageCount()).isEqualTo(1);
    }

    @Test
    void messageMatchingTwoBindingsOfTheSameQueueIsEnqueuedOnce() {
        Queue q = queue("q");
        vhost.bindQueue("q", "amq.topic", "a.*", Map.of(), conn);
        vhost.bindQueue("q", "amq.topic", "*.b", Map.of(), conn);
        vhost.bindQueue("q", "amq.topic", "#", Map.of(), conn);
        assertThat(vhost.publish("amq.topic", "a.b", msg("1"), null).queues()).isEqualTo(1);
        assertThat(q.messageCount()).isEqualTo(1);
    }

    @Test
    void queueReachedDirectlyAndThroughAnotherExchangeIsEnqueuedOnce() {
        exchange("x2", "fanout");
        Queue q = queue("q");
        vhost.bindQueue("q", "amq.fanout", "", Map.of(), conn);
        vhost.bindExchange("x2", "amq.fanout", "", Map.of());
        vhost.bindQueue("q", "x2", "", Map.of(), conn);
        assertThat(vhost.publish("amq.fanout", "", msg("1"), null).queues()).isEqualTo(1);
        assertThat(q.messageCount()).isEqualTo(1);
    }

    @Test
    void fanoutToTwentyQueuesDeliversToEachOnce() {
        List<Queue> qs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            qs.add(queue("q" + i));
            vhost.bindQueue("q" + i, "amq.fanout", "", Map.of(), conn);
            vhost.bindQueue("q" + i, "amq.fanout", "second-binding", Map.of(), conn);
        }
        assertThat(vhost.publish("amq.fanout", "any", msg("1"), null).queues()).isEqualTo(20);
        assertThat(qs).allSatisfy(q -> assertThat(q.messageCount()).isEqualTo(1));
    }

    @Test
    void twentyQueuesReachedByTwoPathsAreEachEnqueuedOnce() {
        exchange("x2", "fanout");
        vhost.bindExchange("x2", "amq.fanout", "", Map.of());
        List<Queue> qs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            qs.add(queue("q" + i));
            vhost.bindQueue("q" + i, "amq.fanout", "", Map.of(), conn);
            vhost.bindQueue("q" + i, "x2", "", Map.of(), conn);
        }
        assertThat(vhost.publish("amq.fanout", "any", msg("1"), null).queues()).isEqualTo(20);
        assertThat(qs).allSatisfy(q -> assertThat(q.messageCount()).isEqualTo(1));
    }

    @Test
    void autoDeleteExchangeIsRemovedAfterItsLastBindingIsUnbound() {
        vhost.declareExchange("ax", "direct", false, false, true, false, Map.of());
        queue("q1");
        queue("q2");
        vhost.bindQueue("q1", "ax", "k", Map.of(), conn);
        vhost.bindQueue("q2", "ax", "k", Map.of(), conn);
        vhost.unbindQueue("q1", "ax", "k", Map.of(), conn);
        assertThat(vhost.exchange("ax")).isNotNull();
        vhost.unbindQueue("q2", "ax", "k", Map.of(), conn);
        assertThat(refused(() -> vhost.exchange("ax")).replyCode()).isEqualTo(404);
    }

    @Test
    void autoDeleteExchangeIsRemovedWhenItsLastBoundQueueIsDeleted() {
        vhost.declareExchange("ax", "fanout", false, false, true, false, Map.of());
        queue("q");
        vhost.bindQueue("q", "ax", "", Map.of(), conn);
        vhost.deleteQueue("q", false, false, conn);
        assertThat(vhost.exchanges()).extracting(Exchange::name).doesNotContain("ax");
    }

    @Test
    void autoDeleteExchangeWithoutBindingsYetIsKept() {
        vhost.declareExchange("ax", "fanout", false, false, true, false, Map.of());
        assertThat(vhost.exchange("ax").autoDelete()).isTrue();
    }

    @Test
    void headersBindingWithBogusXMatchIsPreconditionFailed() {
        queue("q");
        BrokerException e = refused(() -> vhost.bindQueue("q", "amq.headers", "", Map.of("x-match", "bogus"),
                conn));
        assertThat(e.replyCode()).isEqualTo(406);
        assertThat(e.getMessage()).startsWith("PRECONDITION_FAILED - Invalid x-match field value");
        assertThat(vhost.exchange("amq.headers").router().isEmpty()).isTrue();
    }

    @Test
    void headersExchangeRoutesOnMessageHeaders() {
        Queue q = queue("q");
        vhost.bindQueue("q", "amq.match", "", Map.of("x-match", "all", "format", "pdf"), conn);
        assertThat(vhost.publish("amq.match", "", msg("1"), () -> Map.of("format", "pdf")).queues()).isEqualTo(1);
        assertThat(vhost.publish("amq.match", "", msg("2"), () -> Map.of("format", "zip")).queues()).isZero();
        assertThat(q.messageCount()).isEqualTo(1);
    }

    @Test
    void bindingToMissingQueueOrExchangeIsNotFound() {
        queue("q");
        assertThat(refused(() -> vhost.bindQueue("nope", "amq.direct", "k", Map.of(), conn)).replyCode())
                .isEqualTo(404);
        assertThat(refused(() -> vhost.bindQueue("q", "nope", "k", Map.of(), conn)).replyCode()).isEqualTo(404);
        assertThat(refused(() -> vhost.bindExchange("nope", "amq.direct", "k", Map.of())).replyCode())
                .isEqualTo(404);
    }

    // ------------------------------------------------------------ direct reply-to

    @Test
    void directReplyToTargetReceivesMessagesUntilUnregistered() {
        List<Message> received = new ArrayList<>();
        String address = vhost.directReplyTo().register(received::add);
        assertThat(address).startsWith("amq.rabbitmq.reply-to.")
                .hasSizeGreaterThan("amq.rabbitmq.reply-to.".length());

        Message reply = msg("pong");
        assertThat(vhost.publish("", address, reply, null).queues()).isEqualTo(1);
        assertThat(received).containsExactly(reply);

        vhost.directReplyTo().unregister(address);
        assertThat(vhost.publish("", address, msg("late"), null).queues()).isZero();
        assertThat(received).hasSize(1);
    }

    @Test
    void directReplyToAddressesAreDistinct() {
        List<Message> a = new ArrayList<>();
        List<Message> b = new ArrayList<>();
        String addrA = vhost.directReplyTo().register(a::add);
        String addrB = vhost.directReplyTo().register(b::add);
        assertThat(addrA).isNotEqualTo(addrB);
        vhost.publish("", addrB, msg("x"), null);
        assertThat(a).isEmpty();
        assertThat(b).hasSize(1);
    }

    @Test
    void unknownDirectReplyToTokenIsUnroutable() {
        assertThat(vhost.publish("", "amq.rabbitmq.reply-to.unknown", msg("x"), null).queues()).isZero();
    }
}
