package dev.ferrymq.server.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import dev.ferrymq.broker.persistence.Definition;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Durable topology (exchanges of every type, queues and bindings with arguments, an exchange-to-exchange binding,
 * a durable auto-delete queue) survives a graceful restart and a kill -9; transient exchanges and queues, exclusive
 * queues, bindings to them, and things deleted or unbound before the restart do not come back.
 */
class TopologyRecoveryTest extends AbstractCrashTest {

    private static final String X_DIRECT = "crash.x.direct";
    private static final String X_TOPIC = "crash.x.topic";
    private static final String X_FANOUT = "crash.x.fanout";
    private static final String X_HEADERS = "crash.x.headers";
    private static final String X_DELETED = "crash.x.deleted";
    private static final String X_TRANSIENT = "crash.x.transient";
    private static final String Q_DIRECT = "crash.q.direct";
    private static final String Q_TOPIC = "crash.q.topic";
    private static final String Q_FANOUT = "crash.q.fanout";
    private static final String Q_HEADERS = "crash.q.headers";
    private static final String Q_DELETED = "crash.q.deleted";
    private static final String Q_TRANSIENT = "crash.q.transient";
    private static final String Q_EXCLUSIVE = "crash.q.exclusive";
    private static final String Q_AUTO_DELETE = "crash.q.auto-delete";

    private static final Map<String, Object> X_DIRECT_ARGS = Map.of("note", "direct exchange");
    private static final Map<String, Object> Q_DIRECT_ARGS = ordered("x-custom", "v", "note", "n", "count", 7);
    private static final Map<String, Object> K1_BINDING_ARGS = Map.of("note", "b1");
    private static final Map<String, Object> HEADERS_BINDING_ARGS = ordered("x-match", "all", "h", "1");

    @Test
    void durableTopologySurvivesGracefulRestartAndKill9() throws Exception {
        broker.start();
        Connection c = connect();
        Channel ch = c.createChannel();
        ch.exchangeDeclare(X_DIRECT, BuiltinExchangeType.DIRECT, true, false, X_DIRECT_ARGS);
        ch.exchangeDeclare(X_TOPIC, BuiltinExchangeType.TOPIC, true);
        ch.exchangeDeclare(X_FANOUT, BuiltinExchangeType.FANOUT, true);
        ch.exchangeDeclare(X_HEADERS, BuiltinExchangeType.HEADERS, true);
        ch.exchangeDeclare(X_DELETED, BuiltinExchangeType.DIRECT, true);
        ch.exchangeDeclare(X_TRANSIENT, BuiltinExchangeType.DIRECT, false);
        ch.queueDeclare(Q_DIRECT, true, false, false, Q_DIRECT_ARGS);
        ch.queueDeclare(Q_TOPIC, true, false, false, null);
        ch.queueDeclare(Q_FANOUT, true, false, false, null);
        ch.queueDeclare(Q_HEADERS, true, false, false, null);
        ch.queueDeclare(Q_DELETED, true, false, false, null);
        ch.queueDeclare(Q_TRANSIENT, false, false, false, null);
        ch.queueDeclare(Q_EXCLUSIVE, true, true, false, null);      // durable but exclusive: dies with its owner
        ch.queueDeclare(Q_AUTO_DELETE, true, false, true, null);    // durable, auto-delete, never consumed

        ch.queueBind(Q_DIRECT, X_DIRECT, "k1", K1_BINDING_ARGS);
        ch.queueBind(Q_DIRECT, X_DIRECT, "gone-key");
        ch.queueUnbind(Q_DIRECT, X_DIRECT, "gone-key");
        ch.queueBind(Q_TOPIC, X_TOPIC, "a.*.c");
        ch.exchangeBind(X_FANOUT, X_DIRECT, "k2");
        ch.queueBind(Q_FANOUT, X_FANOUT, "");
        ch.queueBind(Q_HEADERS, X_HEADERS, "", HEADERS_BINDING_ARGS);
        ch.queueBind(Q_DELETED, X_DIRECT, "k1");
        ch.queueBind(Q_DIRECT, X_DELETED, "d");
        ch.queueBind(Q_TRANSIENT, X_DIRECT, "k1");      // durable exchange -> transient queue
        ch.queueBind(Q_DIRECT, X_TRANSIENT, "t");       // transient exchange -> durable queue
        ch.exchangeBind(X_TRANSIENT, X_DIRECT, "t");    // durable exchange -> transient exchange
        ch.queueDelete(Q_DELETED);
        ch.exchangeDelete(X_DELETED);

        // The transient parts route before the restart, so their absence afterwards means something.
        Channel pub = c.createChannel();
        pub.confirmSelect();
        publish(pub, X_DIRECT, "k1", "before-1", null);
        publish(pub, X_TRANSIENT, "t", "before-2", null);
        publish(pub, X_DIRECT, "t", "before-3", null);
        pub.waitForConfirmsOrDie(WAIT.toMillis());
        assertThat(getAll(ch, Q_TRANSIENT)).containsExactly("before-1");
        assertThat(getAll(ch, Q_DIRECT)).containsExactly("before-1", "before-2", "before-3");

        stopGracefully();
        broker.restart();
        verifyTopology("after a graceful restart");

        kill9();
        broker.restart();
        verifyTopology("after kill -9");
    }

    private void verifyTopology(String when) throws Exception {
        Connection c = connect();
        Channel ch = c.createChannel();
        for (String x : List.of(X_DIRECT, X_TOPIC, X_FANOUT, X_HEADERS)) {
            ch.exchangeDeclarePassive(x);
        }
        for (String q : List.of(Q_DIRECT, Q_TOPIC, Q_FANOUT, Q_HEADERS, Q_AUTO_DELETE)) {
            assertThat(ch.queueDeclarePassive(q).getMessageCount()).as("%s is empty %s", q, when).isZero();
        }
        // Arguments came back: an equivalent declare is accepted, a different x- argument is refused.
        ch.queueDeclare(Q_DIRECT, true, false, false, Q_DIRECT_ARGS);
        ch.exchangeDeclare(X_DIRECT, BuiltinExchangeType.DIRECT, true, false, X_DIRECT_ARGS);
        ShutdownSignalException inequivalent = channelError(c, other ->
                other.queueDeclare(Q_DIRECT, true, false, false, Map.of("x-custom", "other")));
        assertThat(replyCode(inequivalent)).as("redeclare with another x-custom %s: %s", when,
                replyText(inequivalent)).isEqualTo(PRECONDITION_FAILED);
        ShutdownSignalException missing = channelError(c, other -> other.queueDeclare(Q_DIRECT, true, false, false,
                null));
        assertThat(replyCode(missing)).as("redeclare without x-custom %s: %s", when, replyText(missing))
                .isEqualTo(PRECONDITION_FAILED);

        assertNotFound(c, other -> other.exchangeDeclarePassive(X_TRANSIENT), "transient exchange " + when);
        assertNotFound(c, other -> other.queueDeclarePassive(Q_TRANSIENT), "transient queue " + when);
        assertNotFound(c, other -> other.queueDeclarePassive(Q_EXCLUSIVE), "exclusive queue " + when);
        assertNotFound(c, other -> other.exchangeDeclarePassive(X_DELETED), "deleted exchange " + when);
        assertNotFound(c, other -> other.queueDeclarePassive(Q_DELETED), "deleted queue " + when);

        // A new transient queue of the old name must not inherit the old binding from the durable exchange.
        ch.queueDeclare(Q_TRANSIENT, false, false, false, null);
        ch.queueDeclare(Q_EXCLUSIVE, true, true, false, null);      // durable but exclusive: dies with its owner
        ch.queueDeclare(Q_AUTO_DELETE, true, false, true, null);    // durable, auto-delete, never consumed

        Channel pub = c.createChannel();
        pub.confirmSelect();
        publish(pub, X_DIRECT, "k1", "r1", null);
        publish(pub, X_DIRECT, "gone-key", "r2", null);
        publish(pub, X_DIRECT, "k2", "r3", null);
        publish(pub, X_FANOUT, "whatever", "r4", null);
        publish(pub, X_TOPIC, "a.b.c", "r5", null);
        publish(pub, X_TOPIC, "a.b", "r6", null);
        publish(pub, X_HEADERS, "", "r7", Map.of("h", "1"));
        publish(pub, X_HEADERS, "", "r8", Map.of("h", "2"));
        publish(pub, X_DIRECT, "t", "r9", null);
        publish(pub, X_DIRECT, "d", "r10", null);
        pub.waitForConfirmsOrDie(WAIT.toMillis());

        assertThat(getAll(ch, Q_DIRECT)).as("%s via %s 'k1' only (unbound 'gone-key', the deleted exchange's binding "
                + "and the path through the transient exchange stay gone) %s", Q_DIRECT, X_DIRECT, when).containsExactly("r1");
        assertThat(getAll(ch, Q_FANOUT)).as("%s via the exchange-to-exchange binding and directly %s", Q_FANOUT,
                when).containsExactly("r3", "r4");
        assertThat(getAll(ch, Q_TOPIC)).as("%s via 'a.*.c' %s", Q_TOPIC, when).containsExactly("r5");
        assertThat(getAll(ch, Q_HEADERS)).as("%s via x-match all h=1 %s", Q_HEADERS, when).containsExactly("r7");
        assertThat(getAll(ch, Q_TRANSIENT)).as("binding from a durable exchange to a transient queue is gone %s",
                when).isEmpty();
        ch.queueDelete(Q_TRANSIENT);

        verifyDefinitionsLog(when);
        c.close();
    }

    /**
     * The compacted definitions log written at start-up holds exactly the durable topology, arguments with their
     * types (non-x arguments are not visible through AMQP, so they are checked here).
     */
    private void verifyDefinitionsLog(String when) throws Exception {
        List<Definition> definitions = readDefinitions();
        // access control is compacted into the same log: the first-start defaults, vhost "/" and guest
        assertThat(definitions).as("access control in definitions.log %s", when)
                .contains(new Definition.VhostAdded("/"),
                        new Definition.PermissionSet("/", "guest", ".*", ".*", ".*"))
                .anyMatch(d -> d instanceof Definition.UserPut u && u.name().equals("guest"));
        definitions.removeIf(d -> d instanceof Definition.VhostAdded || d instanceof Definition.UserPut
                || d instanceof Definition.PermissionSet);
        List<Object> expected = new ArrayList<>();
        expected.add(new Definition.ExchangeDeclared("/", X_DIRECT, "direct", false, false, X_DIRECT_ARGS));
        expected.add(new Definition.ExchangeDeclared("/", X_TOPIC, "topic", false, false, Map.of()));
        expected.add(new Definition.ExchangeDeclared("/", X_FANOUT, "fanout", false, false, Map.of()));
        expected.add(new Definition.ExchangeDeclared("/", X_HEADERS, "headers", false, false, Map.of()));
        expected.add(new Definition.QueueDeclared("/", Q_DIRECT, false, Q_DIRECT_ARGS));
        expected.add(new Definition.QueueDeclared("/", Q_TOPIC, false, Map.of()));
        expected.add(new Definition.QueueDeclared("/", Q_FANOUT, false, Map.of()));
        expected.add(new Definition.QueueDeclared("/", Q_HEADERS, false, Map.of()));
        expected.add(new Definition.QueueDeclared("/", Q_AUTO_DELETE, true, Map.of()));
        expected.add(new Definition.Bound("/", X_DIRECT, true, Q_DIRECT, "k1", K1_BINDING_ARGS));
        expected.add(new Definition.Bound("/", X_TOPIC, true, Q_TOPIC, "a.*.c", Map.of()));
        expected.add(new Definition.Bound("/", X_DIRECT, false, X_FANOUT, "k2", Map.of()));
        expected.add(new Definition.Bound("/", X_FANOUT, true, Q_FANOUT, "", Map.of()));
        expected.add(new Definition.Bound("/", X_HEADERS, true, Q_HEADERS, "", HEADERS_BINDING_ARGS));
        assertThat(new ArrayList<Object>(definitions)).as("compacted definitions.log %s", when)
                .containsExactlyInAnyOrderElementsOf(expected);
    }

    /** Reads data/definitions.log (record file: "FMQR", version, then length/crc/payload frames). */
    private List<Definition> readDefinitions() throws Exception {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(broker.dataDir().resolve("definitions.log")));
        byte[] magic = new byte[4];
        in.get(magic);
        assertThat(new String(magic, StandardCharsets.US_ASCII)).isEqualTo("FMQR");
        assertThat(in.getInt()).as("record file version").isEqualTo(1);
        List<Definition> definitions = new ArrayList<>();
        while (in.remaining() >= 8) {
            int length = in.getInt();
            in.getInt(); // crc
            byte[] payload = new byte[length];
            in.get(payload);
            definitions.add(Definition.decode(payload));
        }
        assertThat(in.remaining()).as("trailing bytes in definitions.log").isZero();
        return definitions;
    }

    private static void publish(Channel ch, String exchange, String key, String body, Map<String, Object> headers)
            throws Exception {
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().headers(headers).build();
        ch.basicPublish(exchange, key, props, body.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> getAll(Channel ch, String queue) throws Exception {
        List<String> bodies = new ArrayList<>();
        for (GetResponse r; (r = ch.basicGet(queue, true)) != null; ) {
            bodies.add(new String(r.getBody(), StandardCharsets.UTF_8));
        }
        return bodies;
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
