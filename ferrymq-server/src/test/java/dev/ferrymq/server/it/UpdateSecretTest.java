package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.impl.CredentialsProvider;
import com.rabbitmq.client.impl.CredentialsRefreshService;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * connection.update-secret (RabbitMQ 3.8+), sent by the Java client's credentials refresh: answered with
 * update-secret-ok, after which the connection carries on. For users whose credentials never expire (RabbitMQ's
 * internal users, all of FerryMQ's) RabbitMQ does not re-check the secret, so neither does FerryMQ.
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
    void updateSecretIsNotReCheckedForUsersWhoseCredentialsNeverExpire() throws Exception {
        Connection conn = connectRefreshable();

        assertThat(credentials.updateSecret("not-the-password")).as("update-secret-ok received").isTrue();

        assertThat(conn.isOpen()).isTrue();
        Channel ch = conn.createChannel();
        String q = ch.queueDeclare("", false, true, true, null).getQueue();
        publishConfirmed(ch, "", q, "still authenticated as before");
        assertThat(getText(ch, q)).isEqualTo("still authenticated as before");
    }
}
