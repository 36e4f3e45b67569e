package dev.ferrymq.broker.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferrymq.broker.Broker;
import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.broker.Exchange;
import dev.ferrymq.broker.Users;
import dev.ferrymq.broker.VirtualHost;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetadataSnapshotTest {

    @Test
    void restoringASnapshotMakesTheMetadataTheSnapshotsAndRemovesWhatItLacks() {
        Broker source = Broker.withDefaults();
        source.addVirtualHost("v");
        source.putUser("alice", Users.hashPassword("pw"), List.of("monitoring"));
        source.setPermissions("alice", "v", ".*", ".*", "^r");
        source.setTopicPermission("alice", "v", "amq.topic", "^w", "^r");
        VirtualHost v = source.virtualHost("v");
        v.declareExchange("src", "topic", false, true, false, false, Map.of());
        v.declareExchange("dst", "fanout", false, false, false, false, Map.of());
        v.bindExchange("dst", "src", "a.#", Map.of());
        source.applyReplicated(new MetadataCommand.SetPolicy("v", "cap", false, "^q", "queues", 1,
                Map.of("max-length", 1)));

        Broker target = Broker.withDefaults();
        target.putUser("stale", Users.hashPassword("pw"), List.of());
        target.addVirtualHost("gone");
        target.addVirtualHost("v").declareExchange("stale.x", "direct", false, true, false, false, Map.of());

        MetadataSnapshot.restore(target, MetadataSnapshot.capture(source));

        assertThat(target.users().get("stale")).isNull();
        assertThat(target.virtualHost("gone")).isNull();
        assertThat(target.users().get("alice").tags()).containsExactly("monitoring");
        assertThat(target.permissions().get("alice", "v").read()).isEqualTo("^r");
        assertThat(target.topicPermissions().of("alice", "v")).containsKey("amq.topic");
        VirtualHost restored = target.virtualHost("v");
        assertThat(restored.findExchange("stale.x")).isNull();
        assertThat(restored.findExchange("dst").durable()).isFalse();
        Exchange src = restored.findExchange("src");
        assertThat(src.router().bindings()).singleElement()
                .satisfies(binding -> assertThat(binding.destination().name()).isEqualTo("dst"));
        assertThat(restored.policies().get("cap", false)).isNotNull();
        assertThat(withoutUsers(MetadataSnapshot.capture(target)))
                .isEqualTo(withoutUsers(MetadataSnapshot.capture(source)));
    }

    @Test
    void aRefusalIsAnAnswerThatReadsBackAsTheSameException() {
        Broker broker = Broker.withDefaults();
        broker.virtualHost("/").declareExchange("x", "direct", false, true, false, false, Map.of());
        byte[] answer = MetadataAnswer.of(new MetadataCommand.DeclareExchange("/", "x", "fanout", true, false, false,
                Map.of()), broker::applyReplicated);
        assertThatThrownBy(() -> MetadataAnswer.result(answer)).isInstanceOf(BrokerException.class)
                .hasMessage("PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'x' in vhost '/': "
                        + "received 'fanout' but current is 'direct'")
                .satisfies(e -> assertThat(((BrokerException) e).replyCode()).isEqualTo(406));
        assertThat(MetadataAnswer.result(MetadataAnswer.of(new MetadataCommand.DeleteUser("nobody"),
                broker::applyReplicated))).isEqualTo(false);
    }

    /** PutUser holds a byte array, so records compare it by identity; the users are checked above. */
    private static List<MetadataCommand> withoutUsers(List<MetadataCommand> commands) {
        return commands.stream().filter(command -> !(command instanceof MetadataCommand.PutUser)).toList();
    }
}
