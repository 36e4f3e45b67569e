package dev.ferrymq.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A server without cluster-seeds is a single node as before: Ratis is on its class path but never used. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SingleNodeHasNoClusterTest {
    @TempDir
    Path dir;

    @Test
    void withoutSeedsNoRatisClassIsLoadedNoRaftThreadRunsAndTheClusterPortIsClosed() throws Exception {
        int clusterPort = NodeProcess.freePort();
        try (NodeProcess node = new NodeProcess(dir, "solo", clusterPort, List.of()).start().awaitServing()) {
            assertThat(node.jcmd("Thread.print")).contains("\"main\"").doesNotContain("org.apache.ratis");
            assertThat(node.jcmd("VM.class_hierarchy")).contains("dev.ferrymq.server.FerryServer")
                    .doesNotContain("org.apache.ratis").doesNotContain("dev.ferrymq.cluster.");
            assertThat(listens(clusterPort)).isFalse();

            JsonNode nodes = node.get("nodes");
            assertThat(nodes).hasSize(1);
            assertThat(nodes.get(0).path("name").asText()).isEqualTo("solo");
            assertThat(nodes.get(0).path("running").asBoolean()).isTrue();
            assertThat(nodes.get(0).has("role")).isFalse();
        }
    }

    private static boolean listens(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
