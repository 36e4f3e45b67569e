package dev.ferrymq.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeAddressTest {
    @Test
    void theLastAtSeparatesTheNameFromHostAndPort() {
        assertThat(NodeAddress.parse(" n1@127.0.0.1:7801 ")).isEqualTo(new NodeAddress("n1", "127.0.0.1", 7801));
        assertThat(NodeAddress.parse("ferrymq@host1@10.0.0.1:7800"))
                .isEqualTo(new NodeAddress("ferrymq@host1", "10.0.0.1", 7800));
        assertThat(NodeAddress.parse("n1@[::1]:7801").address()).isEqualTo("[::1]:7801");
        assertThat(NodeAddress.parse("n1@h:1")).hasToString("n1@h:1");
    }

    @Test
    void malformedAddressesAreRefusedSayingWhatIsExpected() {
        for (String bad : List.of("n1", "n1@host", "@host:1", "n1@:1", "n1@host:", "n1@host:x", "n1@host:0",
                "n1@host:65536")) {
            assertThatThrownBy(() -> NodeAddress.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> NodeAddress.parse("n1@host")).hasMessage("'n1@host' is not name@host:port");
    }

    @Test
    void aListIsCommaSeparatedWithDistinctNames() {
        assertThat(NodeAddress.parseList("a@h:1, b@h:2,,")).extracting(NodeAddress::name).containsExactly("a", "b");
        assertThatThrownBy(() -> NodeAddress.parseList("a@h:1,a@h:2")).hasMessage("node a is listed twice");
    }

    @Test
    void aSeedMustListenWhereTheSeedsSay() {
        List<NodeAddress> seeds = NodeAddress.parseList("a@h:1,b@h:2");
        assertThat(new ClusterConfig("a", "0.0.0.0", 1, seeds, Path.of("x")).isSeed()).isTrue();
        assertThat(new ClusterConfig("c", "0.0.0.0", 3, seeds, Path.of("x")).isSeed()).isFalse();
        assertThatThrownBy(() -> new ClusterConfig("b", "0.0.0.0", 1, seeds, Path.of("x")))
                .hasMessageContaining("port 2 but its cluster-port is 1");
        assertThatThrownBy(() -> new ClusterConfig("a", "0.0.0.0", 1, List.of(), Path.of("x")))
                .hasMessageContaining("at least one seed");
    }
}
