package dev.ferrymq.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferrymq.broker.cluster.ClusterConfig;
import dev.ferrymq.broker.cluster.NodeAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterSettingsTest {
    @TempDir
    Path dir;

    @Test
    void withoutSeedsTheNodeIsSingleAndNamedAfterTheHost() throws Exception {
        ServerConfig config = ConfigSources.load(null, Map.of());
        assertThat(config.clusterConfig()).isNull();
        assertThat(config.nodeName()).startsWith("ferrymq@").doesNotContain(".");
        assertThat(config.get(Settings.CLUSTER_PORT)).isEqualTo(7800);
    }

    @Test
    void nodeNamePortAndSeedsComeFromFileEnvironmentAndFlags() throws Exception {
        Path file = Files.writeString(dir.resolve("ferrymq.conf"),
                "cluster-seeds = n1@127.0.0.1:7801, n2@127.0.0.1:7802 ,n3@10.0.0.3:7803\n");
        ServerConfig config = ConfigSources.load(file, Map.of("FERRYMQ_NODE_NAME", "n2"),
                Map.of(Settings.CLUSTER_PORT, "7802", Settings.DATA_DIR, dir.resolve("data").toString()));

        ClusterConfig cluster = config.clusterConfig();
        assertThat(cluster.nodeName()).isEqualTo("n2");
        assertThat(cluster.port()).isEqualTo(7802);
        assertThat(cluster.seeds()).containsExactly(new NodeAddress("n1", "127.0.0.1", 7801),
                new NodeAddress("n2", "127.0.0.1", 7802), new NodeAddress("n3", "10.0.0.3", 7803));
        assertThat(cluster.isSeed()).isTrue();
        assertThat(cluster.storageDir()).isEqualTo(dir.resolve("data").resolve("cluster"));
    }

    @Test
    void badSeedsAndNamesAreRefusedNamingTheSetting() {
        assertThatThrownBy(() -> ConfigSources.load(null, Map.of("FERRYMQ_CLUSTER_SEEDS", "n1@127.0.0.1")))
                .isInstanceOf(SettingException.class).hasMessageContaining("FERRYMQ_CLUSTER_SEEDS")
                .hasMessageContaining("name@host:port");
        assertThatThrownBy(() -> ConfigSources.load(null, Map.of("FERRYMQ_CLUSTER_SEEDS",
                "n1@127.0.0.1:7801,n1@127.0.0.1:7802"))).hasMessageContaining("listed twice");
        assertThatThrownBy(() -> ConfigSources.load(null, Map.of("FERRYMQ_CLUSTER_SEEDS", " , ")))
                .hasMessageContaining("no nodes");
        assertThatThrownBy(() -> ConfigSources.load(null, Map.of("FERRYMQ_NODE_NAME", "a b")))
                .hasMessageContaining("FERRYMQ_NODE_NAME");
    }

    @Test
    void aSeedWhosePortIsNotItsClusterPortIsRefused() throws Exception {
        ServerConfig config = ConfigSources.load(null, Map.of("FERRYMQ_NODE_NAME", "n1",
                "FERRYMQ_CLUSTER_SEEDS", "n1@127.0.0.1:7801,n2@127.0.0.1:7802"));
        assertThatThrownBy(config::clusterConfig).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the cluster seeds give node n1 port 7801 but its cluster-port is 7800");
    }
}
