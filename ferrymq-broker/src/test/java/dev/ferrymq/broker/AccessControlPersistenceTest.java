package dev.ferrymq.broker;

import dev.ferrymq.broker.Permissions.Access;
import dev.ferrymq.store.StoreConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AccessControlPersistenceTest {
    @TempDir
    Path dataDir;

    private Broker open() throws Exception {
        return Broker.open(dataDir, StoreConfig.defaults());
    }

    @Test
    void freshDataDirectoryGetsGuestAdministratorWithAllPermissionsOnSlash() throws Exception {
        try (Broker broker = open()) {
            Users.User guest = broker.users().authenticate("guest", "guest");
            assertThat(guest.isAdministrator()).isTrue();
            assertThat(guest.loopbackOnly()).isTrue();
            assertThat(broker.virtualHost("/")).isNotNull();
            assertThat(broker.permissions().get("guest", "/").configure()).isEqualTo(".*");
        }
    }

    @Test
    void usersVhostsAndPermissionsSurviveRestarts() throws Exception {
        try (Broker broker = open()) {
            broker.addVirtualHost("prod");
            broker.putUser("alice", Users.hashPassword("pw"), List.of("monitoring"));
            broker.setPermissions("alice", "prod", "^a", "^b", "^c");
            broker.deleteUser("guest");
            broker.addVirtualHost("gone").declareQueue("q", false, true, false, false, Map.of(), null);
            broker.deleteVirtualHost("gone");
        }
        for (int restart = 0; restart < 2; restart++) { // the second start reads the compacted log
            try (Broker broker = open()) {
                assertThat(broker.users().get("guest")).isNull();
                Users.User alice = broker.users().authenticate("alice", "pw");
                assertThat(alice).isNotNull();
                assertThat(alice.tags()).containsExactly("monitoring");
                assertThat(alice.loopbackOnly()).isFalse();
                assertThat(broker.virtualHost("prod")).isNotNull();
                assertThat(broker.virtualHost("gone")).isNull();
                Permissions.Permission p = broker.permissions().get("alice", "prod");
                assertThat(List.of(p.configure(), p.write(), p.read())).containsExactly("^a", "^b", "^c");
            }
        }
    }

    @Test
    void permissionRegexesMatchAnywhereAndEmptyMatchesNothing() {
        Permissions.Permission p = new Permissions.Permission("u", "/", "^app\\.", "log", "");
        assertThat(p.permits(Access.CONFIGURE, "app.q")).isTrue();
        assertThat(p.permits(Access.CONFIGURE, "my.app.q")).isFalse();
        assertThat(p.permits(Access.WRITE, "audit.log.x")).isTrue();
        assertThat(p.permits(Access.READ, "")).isFalse();
        assertThat(p.permits(Access.READ, "anything")).isFalse();
    }

    @Test
    void refusalIsWordedAsRabbitMq() {
        Broker broker = Broker.withDefaults();
        assertThatThrownBy(() -> broker.permissions().check("bob", "/", Access.WRITE, "exchange", "x"))
                .isInstanceOf(BrokerException.class)
                .hasMessage("ACCESS_REFUSED - write access to exchange 'x' in vhost '/' refused for user 'bob'");
        assertThatThrownBy(() -> broker.setPermissions("guest", "/", "(", "", ""))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
