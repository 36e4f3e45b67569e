package dev.ferrymq.broker;

import dev.ferrymq.store.StoreConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopicPermissionsTest {
    @TempDir
    Path dataDir;

    @Test
    void patternsMatchAnywhereWithVariablesExpandedAndEmptyMeaningTheEmptyKey() {
        TopicPermissions table = new TopicPermissions();
        TopicPermissions.TopicPermission p = table.set("bob", "prod", "amq.topic", "^{username}\\.{vhost}\\.", "");
        assertThat(p.permitsWrite("bob.prod.x")).isTrue();
        assertThat(p.permitsWrite("alice.prod.x")).isFalse();
        assertThat(p.permitsRead("")).isTrue();
        assertThat(p.permitsRead("a")).isFalse();
        assertThat(p.write()).as("kept as given").isEqualTo("^{username}\\.{vhost}\\.");
        assertThatThrownBy(() -> TopicPermissions.check(p, true, "alice.x"))
                .isInstanceOf(BrokerException.class)
                .hasMessage("ACCESS_REFUSED - access to topic 'alice.x' in exchange 'amq.topic' in vhost 'prod'"
                        + " refused for user 'bob'");
        TopicPermissions.check(null, true, "anything"); // no topic permission: allowed
        assertThatThrownBy(() -> table.set("bob", "prod", "x", "(", ".*"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyChangeMovesTheVersionChannelsCacheBy() {
        TopicPermissions table = new TopicPermissions();
        long before = table.version();
        table.set("bob", "/", "x", ".*", ".*");
        assertThat(table.version()).isNotEqualTo(before);
        long set = table.version();
        table.clear("bob", "/", "x");
        assertThat(table.version()).isNotEqualTo(set);
        assertThat(table.of("bob", "/")).isEmpty();
    }

    @Test
    void topicPermissionsSurviveRestartsAndGoWithTheirUserOrVhost() throws Exception {
        try (Broker broker = Broker.open(dataDir, StoreConfig.defaults())) {
            broker.addVirtualHost("prod");
            broker.addVirtualHost("gone");
            broker.putUser("alice", Users.hashPassword("pw"), List.of());
            broker.putUser("bob", Users.hashPassword("pw"), List.of());
            broker.setTopicPermission("alice", "prod", "amq.topic", "^w", "^r");
            broker.setTopicPermission("alice", "prod", "cleared", "x", "x");
            broker.setTopicPermission("alice", "gone", "amq.topic", "x", "x");
            broker.setTopicPermission("bob", "prod", "amq.topic", "x", "x");
            assertThat(broker.clearTopicPermission("alice", "prod", "cleared")).isTrue();
            broker.deleteUser("bob");
            broker.deleteVirtualHost("gone");
            assertThatThrownBy(() -> broker.setTopicPermission("nobody", "prod", "x", "", ""))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        for (int restart = 0; restart < 2; restart++) { // the second start reads the compacted log
            try (Broker broker = Broker.open(dataDir, StoreConfig.defaults())) {
                List<TopicPermissions.TopicPermission> all = broker.topicPermissions().all();
                assertThat(all).hasSize(1);
                TopicPermissions.TopicPermission p = all.get(0);
                assertThat(List.of(p.user(), p.vhost(), p.exchange(), p.write(), p.read()))
                        .containsExactly("alice", "prod", "amq.topic", "^w", "^r");
                broker.putUser("bob", Users.hashPassword("pw"), List.of());
                assertThat(broker.topicPermissions().of("bob", "prod")).isEmpty();
                broker.deleteUser("bob");
            }
        }
        try (Broker broker = Broker.open(dataDir, StoreConfig.defaults())) {
            assertThat(broker.clearTopicPermissions("alice", "prod")).isTrue();
            assertThat(broker.clearTopicPermissions("alice", "prod")).isFalse();
        }
        try (Broker broker = Broker.open(dataDir, StoreConfig.defaults())) {
            assertThat(broker.topicPermissions().all()).isEmpty();
        }
    }
}
