package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import dev.ferrymq.broker.Broker;
import dev.ferrymq.broker.Users;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Users, vhosts and configure/write/read permissions enforced on AMQP operations as RabbitMQ does: a refused
 * operation is channel.close 403, a vhost without permissions is connection.close 530 at connection.open.
 */
class AccessControlTest extends AbstractBrokerIT {
    private static final String PASSWORD = "s3cret";

    private Broker domain;

    @BeforeAll
    void setUpUsers() {
        domain = broker.server().broker();
        domain.addVirtualHost("iso-a");
        domain.addVirtualHost("iso-b");
        addUser("mine-only", "^mine\\.", "^mine\\.", "^mine\\.");
        addUser("reader", "", "", ".*");
        addUser("writer", "", ".*", "");
        addUser("nobody-here", ".*", ".*", ".*");
        domain.clearPermissions("nobody-here", "/");
        domain.putUser("iso", Users.hashPassword(PASSWORD), List.of());
        domain.setPermissions("iso", "iso-a", ".*", ".*", ".*");
        domain.setPermissions("iso", "iso-b", ".*", ".*", ".*");
    }

    private void addUser(String name, String configure, String write, String read) {
        domain.putUser(name, Users.hashPassword(PASSWORD), List.of());
        domain.setPermissions(name, "/", configure, write, read);
    }

    private Connection connectAs(String user, String vhost) throws Exception {
        ConnectionFactory factory = factory();
        factory.setUsername(user);
        factory.setPassword(PASSWORD);
        factory.setVirtualHost(vhost);
        return track(factory.newConnection());
    }

    @Test
    void configurePermissionGovernsDeclareAndDelete() throws Exception {
        Channel ch = connectAs("mine-only", "/").createChannel();
        String mine = queueToDelete("mine." + unique("q"));
        ch.queueDeclare(mine, false, false, false, null);
        ShutdownSignalException refused = assertChannelError(ch, ACCESS_REFUSED,
                () -> ch.queueDeclare(unique("other"), false, false, false, null));
        assertThat(replyText(refused)).startsWith("ACCESS_REFUSED - configure access to queue 'it.other.")
                .endsWith("in vhost '/' refused for user 'mine-only'");

        Channel ch2 = ch.getConnection().createChannel();
        assertChannelError(ch2, ACCESS_REFUSED, () -> ch2.exchangeDeclare(unique("x"), "direct"));
        Channel ch3 = ch.getConnection().createChannel();
        ch3.queueDelete(mine);
        assertThat(queueExists(connect(), mine)).isFalse();
        // a server-named queue is checked under its amq.gen- name
        assertChannelError(ch3, ACCESS_REFUSED, () -> ch3.queueDeclare());
    }

    @Test
    void passiveDeclareNeedsNoPermission() throws Exception {
        String q = declareQueue(openChannel());
        Channel ch = connectAs("reader", "/").createChannel();
        assertThat(ch.queueDeclarePassive(q).getQueue()).isEqualTo(q);
        ch.exchangeDeclarePassive("amq.direct");
    }

    @Test
    void publishNeedsWriteOnTheExchangeWithDefaultExchangeAsAmqDefault() throws Exception {
        String q = declareQueue(openChannel());
        Channel reader = connectAs("reader", "/").createChannel();
        ShutdownSignalException refused = assertChannelError(reader, ACCESS_REFUSED,
                () -> publish(reader, "", q, "x"));
        assertThat(replyText(refused)).isEqualTo("ACCESS_REFUSED - write access to exchange 'amq.default' in vhost"
                + " '/' refused for user 'reader'");

        Channel writer = connectAs("writer", "/").createChannel();
        publishConfirmed(writer, "", q, "hello");
        assertThat(getText(openChannel(), q)).isEqualTo("hello");
    }

    @Test
    void consumeGetAndPurgeNeedReadOnTheQueue() throws Exception {
        Channel admin = openChannel();
        String q = declareQueue(admin);
        publishConfirmed(admin, "", q, "one");

        Channel writer = connectAs("writer", "/").createChannel();
        assertChannelError(writer, ACCESS_REFUSED, () -> writer.basicGet(q, true));
        Channel writer2 = writer.getConnection().createChannel();
        assertChannelError(writer2, ACCESS_REFUSED, () -> writer2.basicConsume(q, true, (t, d) -> { }, t -> { }));
        Channel writer3 = writer.getConnection().createChannel();
        assertChannelError(writer3, ACCESS_REFUSED, () -> writer3.queuePurge(q));

        Channel reader = connectAs("reader", "/").createChannel();
        assertThat(getText(reader, q)).isEqualTo("one");
        CompletableFuture<String> delivered = new CompletableFuture<>();
        reader.basicConsume(q, true, (tag, d) -> delivered.complete(text(d.getBody())), tag -> { });
        publishConfirmed(admin, "", q, "two");
        assertThat(delivered.get(5, TimeUnit.SECONDS)).isEqualTo("two");
    }

    @Test
    void queueBindNeedsWriteOnQueueAndReadOnExchange() throws Exception {
        Channel admin = openChannel();
        String q = declareQueue(admin);
        Channel writer = connectAs("writer", "/").createChannel();
        ShutdownSignalException refused = assertChannelError(writer, ACCESS_REFUSED,
                () -> writer.queueBind(q, "amq.direct", "k"));
        assertThat(replyText(refused)).contains("read access to exchange 'amq.direct'");
        Channel reader = connectAs("reader", "/").createChannel();
        ShutdownSignalException refused2 = assertChannelError(reader, ACCESS_REFUSED,
                () -> reader.queueBind(q, "amq.direct", "k"));
        assertThat(replyText(refused2)).contains("write access to queue '" + q + "'");
    }

    @Test
    void vhostWithoutPermissionsIsRefusedAtConnectionOpenWith530() {
        assertThatThrownBy(() -> connectAs("nobody-here", "/"))
                .satisfies(e -> {
                    ShutdownSignalException sse = shutdownCause(e);
                    assertThat(sse).isNotNull();
                    assertThat(replyCode(sse)).isEqualTo(NOT_ALLOWED);
                    assertThat(replyText(sse)).isEqualTo("NOT_ALLOWED - access to vhost '/' refused for user"
                            + " 'nobody-here'");
                });
        assertThatThrownBy(() -> connectAs("iso", "no-such-vhost"))
                .satisfies(e -> assertThat(replyCode(shutdownCause(e))).isEqualTo(NOT_ALLOWED));
    }

    @Test
    void vhostsAreIsolated() throws Exception {
        Channel a = connectAs("iso", "iso-a").createChannel();
        String q = unique("q");
        a.queueDeclare(q, false, false, false, null);
        a.exchangeDeclare("shared-name", "fanout");
        publishConfirmed(a, "", q, "in-a");

        Connection b = connectAs("iso", "iso-b");
        assertThat(queueExists(b, q)).isFalse();
        assertThat(exchangeExists(b, "shared-name")).isFalse();
        b.createChannel().queueDeclare(q, false, false, false, Map.of());
        assertThat(messageCount(b, q)).isZero();
        assertThat(domain.virtualHost("iso-a").queue(q, null).messageCount()).isEqualTo(1);
    }

    @Test
    void deletingAVhostClosesItsConnectionsWith320() throws Exception {
        domain.addVirtualHost("doomed");
        domain.setPermissions("iso", "doomed", ".*", ".*", ".*");
        Connection c = connectAs("iso", "doomed");
        CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
        c.addShutdownListener(closed::complete);
        c.createChannel().queueDeclare("will-vanish", true, false, false, null);
        assertThat(domain.deleteVirtualHost("doomed")).isTrue();
        assertThat(replyCode(closed.get(5, TimeUnit.SECONDS))).isEqualTo(CONNECTION_FORCED);
        assertThat(domain.virtualHost("doomed")).isNull();
        assertThat(domain.permissions().get("iso", "doomed")).isNull();
    }
}
