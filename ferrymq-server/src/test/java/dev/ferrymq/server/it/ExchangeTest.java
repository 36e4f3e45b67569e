package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** exchange.declare / delete / bind / unbind, the predeclared exchanges and their access rules. */
class ExchangeTest extends AbstractBrokerIT {

    @ParameterizedTest
    @ValueSource(strings = {"direct", "fanout", "topic", "headers"})
    void declaresEachExchangeType(String type) throws Exception {
        Connection c = connect();
        Channel ch = c.createChannel();
        String x = exchangeToDelete(unique("x." + type));
        AMQP.Exchange.DeclareOk ok = ch.exchangeDeclare(x, type);
        assertThat(ok).isNotNull();
        assertThat(ch.exchangeDeclarePassive(x)).isNotNull();
        // redeclaring with identical attributes is a no-op
        ch.exchangeDeclare(x, type, false, false, false, null);
        ch.exchangeDelete(x);
        assertThat(exchangeExists(c, x)).isFalse();
    }

    @Test
    void durableAutoDeleteAndInternalFlagsAreAccepted() throws Exception {
        Connection c = connect();
        Channel ch = c.createChannel();
        String durable = exchangeToDelete(unique("x.durable"));
        String internal = exchangeToDelete(unique("x.internal"));
        String autoDelete = exchangeToDelete(unique("x.autodelete"));
        ch.exchangeDeclare(durable, BuiltinExchangeType.DIRECT, true, false, false, null);
        ch.exchangeDeclare(internal, BuiltinExchangeType.TOPIC, false, false, true, null);
        ch.exchangeDeclare(autoDelete, BuiltinExchangeType.FANOUT, false, true, false, null);
        assertThat(exchangeExists(c, durable)).isTrue();
        assertThat(exchangeExists(c, internal)).isTrue();
        // an auto-delete exchange that never had a binding is not deleted
        assertThat(exchangeExists(c, autoDelete)).isTrue();
    }

    @Test
    void autoDeleteExchangeIsDeletedWhenItsLastBindingGoes() throws Exception {
        Connection c = connect();
        Channel ch = c.createChannel();
        String x = exchangeToDelete(unique("x.autodelete"));
        ch.exchangeDeclare(x, BuiltinExchangeType.DIRECT, false, true, false, null);
        String q1 = declareQueue(ch);
        String q2 = declareQueue(ch);
        ch.queueBind(q1, x, "k");
        ch.queueBind(q2, x, "k");
        ch.queueUnbind(q1, x, "k");
        assertThat(exchangeExists(c, x)).as("one binding left").isTrue();
        ch.queueUnbind(q2, x, "k");
        eventually("auto-delete exchange " + x + " deleted", () -> !exchangeExists(c, x));
    }

    @Test
    void passiveDeclareOfMissingExchangeIsNotFound() throws Exception {
        Channel ch = openChannel();
        assertChannelError(ch, NOT_FOUND, () -> ch.exchangeDeclarePassive(unique("missing")));
    }

    @Test
    void redeclareWithDifferentTypeIsPreconditionFailed() throws Exception {
        Channel ch = openChannel();
        String x = declareExchange(ch, "direct");
        assertChannelError(ch, PRECONDITION_FAILED, () -> ch.exchangeDeclare(x, "fanout"));
    }

    @Test
    void redeclareWithDifferentDurabilityIsPreconditionFailed() throws Exception {
        Channel ch = openChannel();
        String x = declareExchange(ch, "direct");
        assertChannelError(ch, PRECONDITION_FAILED, () -> ch.exchangeDeclare(x, "direct", true));
    }

    @Test
    void unknownExchangeTypeIsCommandInvalid() throws Exception {
        Channel ch = openChannel();
        String x = exchangeToDelete(unique("x.badtype"));
        assertConnectionError(ch, COMMAND_INVALID, () -> ch.exchangeDeclare(x, "no-such-type"));
    }

    @Test
    void deleteIfUnusedOfBoundExchangeIsPreconditionFailed() throws Exception {
        Connection c = connect();
        Channel ch = c.createChannel();
        String x = declareExchange(ch, "direct");
        String q = declareQueue(ch);
        ch.queueBind(q, x, "k");
        assertChannelError(ch, PRECONDITION_FAILED, () -> ch.exchangeDelete(x, true));
        assertThat(exchangeExists(c, x)).isTrue();
        Channel ch2 = c.createChannel();
        ch2.queueUnbind(q, x, "k");
        ch2.exchangeDelete(x, true); // unused now
        assertThat(exchangeExists(c, x)).isFalse();
    }

    @Test
    void deletingMissingExchangeSucceeds() throws Exception {
        Channel ch = openChannel();
        assertThat(ch.exchangeDelete(unique("missing"))).isNotNull();
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void deletingExchangeRemovesItsBindings() throws Exception {
        Connection c = connect();
        Channel ch = c.createChannel();
        String x = declareExchange(ch, "fanout");
        String q = declareQueue(ch);
        ch.queueBind(q, x, "");
        ch.exchangeDelete(x);
        ch.exchangeDeclare(x, "fanout");
        publish(ch, x, "", "no binding survives the delete");
        assertThat(ch.basicGet(q, true)).isNull();
    }

    @Test
    void publishingToInternalExchangeIsAccessRefused() throws Exception {
        Channel ch = openChannel();
        String x = exchangeToDelete(unique("x.internal"));
        ch.exchangeDeclare(x, BuiltinExchangeType.FANOUT, false, false, true, null);
        assertChannelError(ch, ACCESS_REFUSED, () -> publish(ch, x, "", "to an internal exchange"));
    }

    @Test
    void internalExchangeRoutesMessagesFromAnotherExchange() throws Exception {
        Channel ch = openChannel();
        String front = declareExchange(ch, "direct");
        String internal = exchangeToDelete(unique("x.internal"));
        ch.exchangeDeclare(internal, BuiltinExchangeType.FANOUT, false, false, true, null);
        String q = declareQueue(ch);
        ch.queueBind(q, internal, "");
        ch.exchangeBind(internal, front, "k");
        publish(ch, front, "k", "via internal");
        assertThat(getText(ch, q)).isEqualTo("via internal");
    }

    @Test
    void exchangeToExchangeBindingRoutesUntilUnbound() throws Exception {
        Channel ch = openChannel();
        String source = declareExchange(ch, "topic");
        String destination = declareExchange(ch, "direct");
        String q = declareQueue(ch);
        ch.queueBind(q, destination, "a.b");
        ch.exchangeBind(destination, source, "a.*");

        publish(ch, source, "a.b", "routed twice");
        publish(ch, source, "a.c", "matches e2e binding, not the queue binding");
        publish(ch, source, "x.b", "matches nothing");
        assertThat(getText(ch, q)).isEqualTo("routed twice");
        assertThat(ch.basicGet(q, true)).isNull();

        ch.exchangeUnbind(destination, source, "a.*");
        publish(ch, source, "a.b", "after unbind");
        assertThat(ch.basicGet(q, true)).isNull();
        publish(ch, destination, "a.b", "direct to destination still works");
        assertThat(getText(ch, q)).isEqualTo("direct to destination still works");
    }

    @Test
    void exchangeBindToMissingExchangeIsNotFound() throws Exception {
        Channel ch = openChannel();
        String x = declareExchange(ch, "fanout");
        assertChannelError(ch, NOT_FOUND, () -> ch.exchangeBind(x, unique("missing"), ""));
    }

    @Test
    void predeclaredExchangesExistWithTheirTypes() throws Exception {
        Connection c = connect();
        Channel ch = c.createChannel();
        for (String x : new String[] {"amq.direct", "amq.fanout", "amq.topic", "amq.headers", "amq.match"}) {
            assertThat(ch.exchangeDeclarePassive(x)).as(x).isNotNull();
        }
        // a non-passive redeclare with identical type and flags (durable) is accepted
        ch.exchangeDeclare("amq.direct", "direct", true);
        ch.exchangeDeclare("amq.fanout", "fanout", true);
        ch.exchangeDeclare("amq.topic", "topic", true);
        ch.exchangeDeclare("amq.headers", "headers", true);
        ch.exchangeDeclare("amq.match", "headers", true);
        assertChannelError(ch, PRECONDITION_FAILED, () -> ch.exchangeDeclare("amq.direct", "fanout", true));
    }

    @Test
    void predeclaredExchangesRoute() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        ch.queueBind(q, "amq.direct", q);
        ch.queueBind(q, "amq.fanout", "");
        ch.queueBind(q, "amq.topic", q + ".#");
        ch.queueBind(q, "amq.headers", "", Map.of("x-match", "all", "target", q));
        ch.queueBind(q, "amq.match", "", Map.of("x-match", "all", "via-match", q));
        try {
            publish(ch, "", q, "default");
            publish(ch, "amq.direct", q, "direct");
            publish(ch, "amq.topic", q + ".x.y", "topic");
            ch.basicPublish("amq.headers", "", props(Map.of("target", q)), bytes("headers"));
            ch.basicPublish("amq.match", "", props(Map.of("via-match", q)), bytes("match"));
            assertThat(drain(ch, q)).containsExactly("default", "direct", "topic", "headers", "match");
            // amq.fanout would fan out to other tests' queues, so it is only checked on its own
            publish(ch, "amq.fanout", "ignored", "fanout");
            assertThat(drain(ch, q)).contains("fanout");
        } finally {
            ch.queueUnbind(q, "amq.fanout", "");
        }
    }

    @Test
    void defaultExchangeCannotBeDeclaredEvenPassivelyNorDeleted() throws Exception {
        Connection c = connect();
        Channel ch = c.createChannel();
        String q = declareQueue(ch);
        publish(ch, "", q, "the default exchange routes by queue name");
        assertThat(getText(ch, q)).isEqualTo("the default exchange routes by queue name");
        // RabbitMQ refuses every exchange.* method on "", including a passive declare
        Channel passive = c.createChannel();
        assertChannelError(passive, ACCESS_REFUSED, () -> passive.exchangeDeclarePassive(""));
        Channel declare = c.createChannel();
        assertChannelError(declare, ACCESS_REFUSED, () -> declare.exchangeDeclare("", "direct", true));
        Channel delete = c.createChannel();
        assertChannelError(delete, ACCESS_REFUSED, () -> delete.exchangeDelete(""));
    }

    @Test
    void declaringAmqPrefixedExchangeIsAccessRefused() throws Exception {
        Channel ch = openChannel();
        assertChannelError(ch, ACCESS_REFUSED, () -> ch.exchangeDeclare("amq.foo" + System.nanoTime(), "direct"));
    }

    @Test
    void deletingPredeclaredExchangeIsAccessRefused() throws Exception {
        Channel ch = openChannel();
        assertChannelError(ch, ACCESS_REFUSED, () -> ch.exchangeDelete("amq.direct"));
    }

    @Test
    void bindingQueueToDefaultExchangeIsAccessRefused() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        assertChannelError(ch, ACCESS_REFUSED, () -> ch.queueBind(q, "", "other-key"));
    }

    @Test
    void unbindingQueueFromDefaultExchangeIsAccessRefused() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        assertChannelError(ch, ACCESS_REFUSED, () -> ch.queueUnbind(q, "", q));
    }

    private static AMQP.BasicProperties props(Map<String, Object> headers) {
        return new AMQP.BasicProperties.Builder().headers(headers).build();
    }

    private static java.util.List<String> drain(Channel ch, String q) throws Exception {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (String s = getText(ch, q); s != null; s = getText(ch, q)) {
            out.add(s);
        }
        return out;
    }
}
