package dev.ferrymq.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferrymq.broker.metadata.MetadataCommand;
import dev.ferrymq.broker.metadata.MetadataSnapshot;
import dev.ferrymq.broker.queue.ExclusiveOwner;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.queue.QueueDeclaration;
import dev.ferrymq.broker.queue.QueueHost;
import dev.ferrymq.broker.queue.RemoteQueues;
import dev.ferrymq.broker.queue.classic.ClassicQueueType;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Classic queue declarations as cluster metadata, on one broker whose "replication" applies each command at once:
 * what is proposed, and what applying it does on the home node and on the others.
 */
class ReplicatedQueuesTest {
    private final Broker broker = Broker.withDefaults();
    private final List<MetadataCommand> proposed = new ArrayList<>();
    private final Map<Queue, String> proxies = new IdentityHashMap<>();
    private VirtualHost vhost;

    /** This broker is node n2; a proxy is a plain classic queue remembered with its home. */
    @BeforeEach
    void clustered() {
        broker.replicateMetadataThrough(command -> {
            proposed.add(command);
            return broker.applyReplicated(command);
        });
        broker.serveRemoteQueuesThrough(new RemoteQueues() {
            @Override
            public String localNode() {
                return "n2";
            }

            @Override
            public Queue open(QueueHost host, QueueDeclaration declaration, String homeNode) {
                Queue proxy = ClassicQueueType.INSTANCE.create(host, declaration);
                proxies.put(proxy, homeNode);
                return proxy;
            }

            @Override
            public String homeOf(Queue queue) {
                return proxies.getOrDefault(queue, "n2");
            }
        });
        vhost = broker.virtualHost("/");
    }

    @Test
    void aClassicQueueIsDeclaredThroughTheMetadataWithThisNodeAsItsHome() {
        String name = vhost.declareQueue("", false, true, false, false, Map.of(), null).queue().name();

        assertThat(name).startsWith("amq.gen-");
        assertThat(proposed).containsExactly(new MetadataCommand.DeclareQueue("/", name, true, false, Map.of(),
                "n2"));
        assertThat(proxies).isEmpty(); // homed here: the queue itself
    }

    @Test
    void aQueueHomedElsewhereIsAProxyHereAndItsBindingsAndDeleteAreReplicated() {
        broker.applyReplicated(new MetadataCommand.DeclareQueue("/", "orders", true, false, Map.of(), "n1"));
        Queue proxy = vhost.findQueue("orders");
        assertThat(proxies).containsEntry(proxy, "n1");

        vhost.bindQueue("orders", "amq.direct", "k", Map.of(), null);
        assertThat(proposed).containsExactly(new MetadataCommand.BindQueue(true, "/", "orders", "amq.direct", "k",
                Map.of()));
        assertThat(MetadataSnapshot.capture(broker)).contains(
                new MetadataCommand.DeclareQueue("/", "orders", true, false, Map.of(), "n1"),
                new MetadataCommand.BindQueue(true, "/", "orders", "amq.direct", "k", Map.of()));

        vhost.deleteQueue("orders", false, false, null);
        assertThat(proposed).endsWith(new MetadataCommand.DeleteQueue("/", "orders"));
        assertThat(vhost.findQueue("orders")).isNull();
        assertThat(vhost.exchange("amq.direct").router().isEmpty()).isTrue();
    }

    @Test
    void aRedeclarationIsCheckedAgainstTheProxyAsAgainstTheQueue() {
        broker.applyReplicated(new MetadataCommand.DeclareQueue("/", "orders", true, false, Map.of(), "n1"));
        assertThatThrownBy(() -> vhost.declareQueue("orders", false, false, false, false, Map.of(), null))
                .isInstanceOf(BrokerException.class).hasMessageContaining("inequivalent arg 'durable'");
    }

    @Test
    void exclusiveQueuesStayOnTheirNode() {
        ExclusiveOwner connection = new ExclusiveOwner() { };
        vhost.declareQueue("mine", false, false, true, true, Map.of(), connection);
        vhost.bindQueue("mine", "amq.fanout", "", Map.of(), connection);
        assertThat(proposed).isEmpty();
        assertThat(MetadataSnapshot.capture(broker))
                .noneMatch(command -> command instanceof MetadataCommand.DeclareQueue);
    }

    @Test
    void aRestartedNodesNonDurableQueuesAreDroppedAndItsDurableOnesKept() {
        broker.applyReplicated(new MetadataCommand.SetNodeEndpoint("n1", "h", 5672, "s", 1));
        broker.applyReplicated(new MetadataCommand.DeclareQueue("/", "durable", true, false, Map.of(), "n1"));
        broker.applyReplicated(new MetadataCommand.DeclareQueue("/", "transient", false, false, Map.of(), "n1"));
        broker.applyReplicated(new MetadataCommand.SetNodeEndpoint("n1", "h", 5672, "s", 1)); // announced again
        assertThat(vhost.findQueue("transient")).isNotNull();

        broker.applyReplicated(new MetadataCommand.SetNodeEndpoint("n1", "h", 5672, "s", 2)); // restarted
        assertThat(vhost.findQueue("transient")).isNull();
        assertThat(vhost.findQueue("durable")).isNotNull();
    }
}
