package dev.ferrymq.cluster;

import dev.ferrymq.broker.cluster.ClusterException;
import dev.ferrymq.broker.cluster.NodeAddress;
import dev.ferrymq.broker.cluster.NodeStatus;
import dev.ferrymq.broker.cluster.NodeStatus.Role;
import dev.ferrymq.cluster.metadata.CommandCount;
import dev.ferrymq.cluster.metadata.MetadataGroup;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Three (then four) Ratis servers in this JVM on loopback: forming, membership changes, the metadata log. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterNodeTest {
    @TempDir
    Path dir;

    @Test
    void threeSeedsElectOneLeaderAndEveryNodeListsAllThreeRunning() throws Exception {
        try (LocalCluster cluster = LocalCluster.of(dir, 3).startAll()) {
            String leader = cluster.awaitLeader();
            for (ClusterNode node : cluster.running()) {
                cluster.awaitMembers(node, "n1", "n2", "n3");
                List<NodeStatus> nodes = node.nodes();
                assertThat(nodes).filteredOn(status -> status.role() == Role.LEADER)
                        .extracting(NodeStatus::name).containsExactly(leader);
                assertThat(nodes).filteredOn(NodeStatus::local).extracting(NodeStatus::name)
                        .containsExactly(node.nodeName());
            }
        }
    }

    @Test
    void aFourthNodeIsAddedToTheRunningClusterAndAMemberRemoved() throws Exception {
        try (LocalCluster cluster = LocalCluster.of(dir, 3).startAll()) {
            cluster.awaitLeader();
            NodeAddress n4 = cluster.newNode("n4");
            cluster.start("n4");
            cluster.node("n2").addNode(n4); // from a node that need not be the leader
            for (ClusterNode node : cluster.running()) {
                cluster.awaitMembers(node, "n1", "n2", "n3", "n4");
            }
            assertThat(cluster.awaitLeader()).isIn("n1", "n2", "n3", "n4");

            cluster.node("n4").removeNode("n1");
            cluster.stop("n1");
            for (ClusterNode node : cluster.running()) {
                cluster.awaitMembers(node, "n2", "n3", "n4");
            }
            assertThat(cluster.awaitLeader()).isIn("n2", "n3", "n4");
        }
    }

    @Test
    void membershipChangesThatCannotWorkAreRefused() throws Exception {
        try (LocalCluster cluster = LocalCluster.of(dir, 3).startAll()) {
            cluster.awaitLeader();
            ClusterNode n1 = cluster.node("n1");
            assertThatThrownBy(() -> n1.addNode(new NodeAddress("n2", "127.0.0.1", 1)))
                    .isInstanceOf(ClusterException.class).hasMessageContaining("already a member");
            assertThatThrownBy(() -> n1.addNode(new NodeAddress("n9", "127.0.0.1", LocalCluster.freePort())))
                    .isInstanceOf(ClusterException.class).hasMessageContaining("start it first");
            assertThatThrownBy(() -> n1.removeNode("n9"))
                    .isInstanceOf(ClusterException.class).hasMessageContaining("not a member");
        }
    }

    @Test
    void aStoppedNodeIsShownNotRunningAndARestartedOneRejoinsAndCatchesUpOnTheMetadataLog() throws Exception {
        try (LocalCluster cluster = LocalCluster.of(dir, 3).startAll()) {
            String leader = cluster.awaitLeader();
            String stopped = leader.equals("n3") ? "n2" : "n3";
            submit(cluster.node(leader), "before");
            cluster.stop(stopped);
            ClusterNode observer = cluster.node(leader);
            LocalCluster.await(stopped + " shown as not running", () -> observer.nodes().stream()
                    .anyMatch(status -> status.name().equals(stopped) && !status.running()));

            for (int i = 0; i < 20; i++) {
                assertThat(ByteBuffer.wrap(submit(cluster.node(leader), "while-down-" + i)).getLong())
                        .isEqualTo(i + 2);
            }
            ClusterNode restarted = cluster.start(stopped);
            cluster.awaitMembers(restarted, "n1", "n2", "n3");
            for (ClusterNode node : cluster.running()) {
                LocalCluster.await(node.nodeName() + " applied all 21 commands", () -> applied(node) == 21);
                String last = node.metadata().read(m -> new String(((CommandCount) m).last(), StandardCharsets.UTF_8));
                assertThat(last).isEqualTo("while-down-19");
            }
        }
    }

    @Test
    void aRequestedSnapshotIsWrittenAndARestartedNodeStartsFromItsLatestSnapshot() throws Exception {
        try (LocalCluster cluster = LocalCluster.of(dir, 3).startAll()) {
            String leader = cluster.awaitLeader();
            for (int i = 0; i < 5; i++) {
                submit(cluster.node(leader), "before-snapshot-" + i);
            }
            LocalCluster.await("n1 applied 5", () -> applied(cluster.node("n1")) == 5);
            try (RaftClient client = RaftClient.newBuilder().setProperties(RaftSettings.client())
                    .setRaftGroup(cluster.node("n1").raftServer().getDivision(MetadataGroup.ID).getGroup()).build()) {
                assertThat(client.getSnapshotManagementApi(RaftPeerId.valueOf("n1")).create(true, 10_000).isSuccess())
                        .isTrue();
            }
            SnapshotInfo snapshot = cluster.node("n1").metadata().getLatestSnapshot();
            assertThat(snapshot.getIndex()).isPositive();
            submit(cluster.node(leader), "after-snapshot");

            LocalCluster.await("n1 applied 6", () -> applied(cluster.node("n1")) == 6);

            cluster.stop("n1"); // Ratis also snapshots when a server stops, so this covers "after-snapshot" too
            ClusterNode restarted = cluster.start("n1");
            SnapshotInfo loaded = restarted.metadata().getLatestSnapshot();
            assertThat(loaded.getIndex()).isGreaterThanOrEqualTo(snapshot.getIndex());
            assertThat(restarted.metadata().getLastAppliedTermIndex()).isEqualTo(loaded.getTermIndex());
            LocalCluster.await("restarted n1 applied 6", () -> applied(restarted) == 6);
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aCommandThatFailedWithoutAMajorityDoesNotBreakTheNodesLaterCommands() throws Exception {
        try (LocalCluster cluster = LocalCluster.of(dir, 3).startAll()) {
            cluster.awaitLeader();
            submit(cluster.node("n1"), "before");
            cluster.stop("n2");
            cluster.stop("n3");
            // however long the client's retries take on a loaded machine, they end in a failure
            assertThatThrownBy(() -> cluster.node("n1").metadataLog()
                    .submit("without-a-majority".getBytes(StandardCharsets.UTF_8)).get(120, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class);
            cluster.start("n2");
            cluster.start("n3");
            cluster.awaitLeader();
            // Ratis closed the failed client's sliding window: the log must use a new client
            assertThat(ByteBuffer.wrap(cluster.node("n1").metadataLog().submit("after".getBytes(StandardCharsets.UTF_8))
                    .get(60, TimeUnit.SECONDS)).getLong()).isPositive();
        }
    }

    private static byte[] submit(ClusterNode node, String command) throws Exception {
        return node.metadataLog().submit(command.getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
    }

    private static long applied(ClusterNode node) {
        return node.metadata().read(metadata -> ((CommandCount) metadata).applied());
    }
}
