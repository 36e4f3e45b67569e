package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import com.rabbitmq.client.impl.CredentialsProvider;
import com.rabbitmq.client.impl.CredentialsRefreshService;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * connection.update-secret (RabbitMQ 3.8+), sent by the Java client's credentials refresh: answered with
 * update-secret-ok when the new secret is the user's password, after which the connection carries on; a wrong secret
 * closes the connection with 530 (RabbitMQ skips that check for its internal users; FerryMQ does not).
 */
class UpdateSecretTest extends AbstractBrokerIT {

    /** Credentials that say they expire, so the client registers a refresh; the test decides when it runs. */
    private static final class RefreshableCredentials implements CredentialsProvider, CredentialsRefreshService {
        volatile String password = BrokerUnderTest.PASSWORD;
        volatile Callable<Boolean> refresh;

        @Override
        public String getUsername() {
            return BrokerUnderTest.USER;
        }

        @Override
        public String getPassword() {
            return password;
        }

        @Override
        public Duration getTimeBeforeExpiration() {
            return Duration.ofHours(1);
        }

        @Override
        public String register(CredentialsProvider provider, Callable<Boolean> refreshAction) {
            refresh = refreshAction;
            return "test";
        }

        @Override
        public void unregister(CredentialsProvider provider, String registrationId) {
        }

        @Override
        public boolean isApproachingExpiration(Duration timeBeforeExpiration) {
            return false;
        }

        /** Sends connection.update-secret with the current password; true once update-secret-ok came back. */
        boolean updateSecret(String newPassword) throws Exception {
            password = newPassword;
            return refresh.call();
        }
    }

    private final RefreshableCredentials credentials = new RefreshableCredentials();

    private Connection connectRefreshable() throws Exception {
        credentials.password = BrokerUnderTest.PASSWORD; // one instance serves every test of the class
        ConnectionFactory factory = factory();
        factory.setCredentialsProvider(credentials);
        factory.setCredentialsRefreshService(credentials);
        return track(factory.newConnection());
    }

    @Test
    void updateSecretIsAcknowledgedAndTheConnectionKeepsWorking() throws Exception {
        Connection conn = connectRefreshable();
        Channel ch = conn.createChannel();
        String q = ch.queueDeclare("", false, true, true, null).getQueue();
        publishConfirmed(ch, "", q, "before");

        assertThat(credentials.updateSecret(BrokerUnderTest.PASSWORD)).as("update-secret-ok received").isTrue();

        publishConfirmed(ch, "", q, "after");
        assertThat(getText(ch, q)).isEqualTo("before");
        assertThat(getText(ch, q)).isEqualTo("after");
        assertThat(conn.createChannel().queueDeclarePassive(q).getMessageCount()).isZero();
        assertThat(credentials.updateSecret(BrokerUnderTest.PASSWORD)).as("a second update").isTrue();
        assertThat(conn.isOpen()).isTrue();
    }

    @Test
    void aWrongNewSecretClosesTheConnectionWith530NamingUpdateSecret() throws Exception {
        assumeFalse(broker.isExternal(), "RabbitMQ does not re-check the secret of its internal users");
        Connection conn = connectRefreshable();
        CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
        conn.addShutdownListener(closed::complete);

        try {
            credentials.updateSecret("not-the-password");
        } catch (Exception expected) {
            // the client sees the connection close while it waits for update-secret-ok
        }

        ShutdownSignalException signal = closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(signal.isHardError()).isTrue();
        AMQP.Connection.Close close = (AMQP.Connection.Close) signal.getReason();
        assertThat(close.getReplyCode()).isEqualTo(NOT_ALLOWED);
        assertThat(close.getReplyText()).isEqualTo("NOT_ALLOWED - New secret was refused by one of the backends");
        assertThat(close.getClassId()).isEqualTo(10);
        assertThat(close.getMethodId()).isEqualTo(70);
    }
}
