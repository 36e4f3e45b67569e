package dev.ferrymq.cluster.quorum;

import static dev.ferrymq.cluster.quorum.RatisTestCluster.reply;
import static dev.ferrymq.cluster.quorum.RatisTestCluster.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferrymq.cluster.quorum.Effect.DeadLetter;
import dev.ferrymq.cluster.quorum.Effect.Deliver;
import dev.ferrymq.cluster.quorum.Effect.EnqueueSettled;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state machine inside a real three-member Ratis group (Netty on loopback). */
class QuorumQueueStateMachineTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final PublisherId PUBLISHER = new PublisherId("n1", 1, 1);

    @TempDir
    Path dir;

    private long seq;

    private RaftClientReply publish(RaftClient client, int size) {
        return send(client, new QueueCommand.Enqueue(PUBLISHER, ++seq, 0, -1, new byte[size]));
    }

    @Test
    void threeReplicasApplyTheSameEntriesAndOnlyTheOwningNodeDelivers() throws IOException {
        try (RatisTestCluster cluster = new RatisTestCluster(dir, 3, p -> { })) {
            RaftClient client = cluster.client();
            ConsumerId consumerOnN2 = new ConsumerId("n2", 5, 1, "ctag");
            send(client, new QueueCommand.Checkout(consumerOnN2, 5, 0, false));

            RaftClientReply last = null;
            for (int i = 0; i < 20; i++) {
                last = publish(client, 100);
                assertThat(reply(last).code()).isEqualTo(Reply.Code.OK);
            }
            cluster.awaitApplied(last.getLogIndex(), WAIT);

            List<byte[]> states = cluster.running().stream().map(p -> cluster.machine(p).stateBytes()).toList();
            assertThat(states.get(1)).isEqualTo(states.get(0));
            assertThat(states.get(2)).isEqualTo(states.get(0));
            assertThat(cluster.machine(RaftPeerId.valueOf("n3")).stats())
                    .extracting(QueueStats::ready, QueueStats::checkedOut).containsExactly(15, 5);
            assertThat(cluster.effectsRun.get("n2")).filteredOn(Deliver.class::isInstance).hasSize(5);
            assertThat(cluster.effectsRun.get("n1")).filteredOn(Deliver.class::isInstance).isEmpty();
            assertThat(cluster.effectsRun.get("n3")).filteredOn(Deliver.class::isInstance).isEmpty();
            assertThat(cluster.effectsRun.get("n1")).filteredOn(EnqueueSettled.class::isInstance).hasSize(20);

            Deliver delivered = (Deliver) cluster.effectsRun.get("n2").stream()
                    .filter(Deliver.class::isInstance).findFirst().orElseThrow();
            RaftClientReply rejected = send(client, new QueueCommand.Discard(consumerOnN2,
                    List.of(delivered.messageId())));
            cluster.awaitApplied(rejected.getLogIndex(), WAIT);
            RaftPeerId leader = cluster.awaitLeader(WAIT);
            for (RaftPeerId peer : cluster.running()) {
                assertThat(cluster.effectsRun.get(peer.toString())).as("dead letters run by %s", peer)
                        .filteredOn(DeadLetter.class::isInstance).hasSize(peer.equals(leader) ? 1 : 0);
            }
            QueueStats stats = QueueStats.decode(client.io().sendReadOnly(Message.EMPTY).getMessage()
                    .getContent().toByteArray());
            assertThat(stats).extracting(QueueStats::ready, QueueStats::checkedOut, QueueStats::consumers)
                    .as("the rejected message's credit went to the next one").containsExactly(14, 5, 1);
        }
    }

    @Test
    void aProposalThatDoesNotDecodeIsRefusedBeforeItReachesTheLog() throws IOException {
        try (RatisTestCluster cluster = new RatisTestCluster(dir, 3, p -> { })) {
            RaftClient client = cluster.client();
            publish(client, 10);

            assertThatThrownBy(() -> client.io().send(Message.valueOf("not a command")))
                    .hasRootCauseInstanceOf(IOException.class)
                    .rootCause().hasMessageContaining("unsupported command format version");
            RaftClientReply next = publish(client, 10);

            cluster.awaitApplied(next.getLogIndex(), WAIT);
            for (RaftPeerId peer : cluster.running()) {
                assertThat(cluster.machine(peer).appliedSinceStart()).as("entries applied by %s", peer).isEqualTo(2);
            }
        }
    }

    @Test
    void aListenerOnAnotherNodeAppliesTheLogAndServesItsOwnConsumers() throws IOException {
        try (RatisTestCluster cluster = new RatisTestCluster(dir, 3, 1, p -> { })) {
            RaftClient client = cluster.client();
            RaftPeerId listener = RaftPeerId.valueOf("n4");
            send(client, new QueueCommand.Checkout(new ConsumerId("n4", 1, 1, "ctag"), 0, 0, false));
            RaftClientReply last = null;
            for (int i = 0; i < 5; i++) {
                last = publish(client, 10);
            }
            cluster.awaitApplied(last.getLogIndex(), WAIT);

            assertThat(cluster.division(listener).getInfo().getCurrentRole()).isEqualTo(RaftPeerRole.LISTENER);
            assertThat(cluster.effectsRun.get("n4")).filteredOn(Deliver.class::isInstance).hasSize(5);
            assertThat(cluster.machine(listener).stateBytes())
                    .isEqualTo(cluster.machine(RaftPeerId.valueOf("n1")).stateBytes());
        }
    }

    @Test
    void losingTheLeaderElectsAnotherAndLosesNoCommittedEnqueue() throws IOException {
        try (RatisTestCluster cluster = new RatisTestCluster(dir, 3, p -> { })) {
            RaftClient client = cluster.client();
            for (int i = 0; i < 10; i++) {
                publish(client, 100);
            }
            RaftPeerId oldLeader = cluster.awaitLeader(WAIT);

            long killedAt = System.nanoTime();
            cluster.kill(oldLeader);
            RaftClientReply afterFailover = publish(client, 100);
            long failoverMillis = (System.nanoTime() - killedAt) / 1_000_000;
            RaftClientReply last = afterFailover;
            for (int i = 0; i < 9; i++) {
                last = publish(client, 100);
            }
            cluster.awaitApplied(last.getLogIndex(), WAIT);

            RaftPeerId newLeader = cluster.awaitLeader(WAIT);
            assertThat(newLeader).isNotEqualTo(oldLeader);
            for (RaftPeerId survivor : cluster.running()) {
                assertThat(cluster.machine(survivor).stats().ready()).isEqualTo(20);
            }
            System.out.printf("quorum queue failover: first enqueue committed %d ms after the leader closed%n",
                    failoverMillis);

            cluster.restart(oldLeader);
            cluster.awaitApplied(last.getLogIndex(), WAIT);
            assertThat(cluster.machine(oldLeader).stateBytes()).isEqualTo(cluster.machine(newLeader).stateBytes());
        }
    }

    @Test
    void restartLoadsTheSnapshotAndReplaysOnlyTheEntriesAfterIt() throws IOException {
        int entries = 450;
        try (RatisTestCluster cluster = new RatisTestCluster(dir, 3, p -> {
            RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
            RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, 100);
            // Small segments so that whole segments fall below the snapshot and can be purged.
            RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf("16KB"));
            RaftServerConfigKeys.Log.setPurgeGap(p, 10);
            RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
            RaftServerConfigKeys.Log.setPurgePreservationLogNum(p, 20);
        })) {
            RaftClient client = cluster.client();
            send(client, new QueueCommand.Declare("/", "orders", new byte[0], QueueConfig.DEFAULT));
            // Pipelined (ordered per client) so the test spends its time on snapshots, not round trips.
            List<CompletableFuture<RaftClientReply>> pending = new ArrayList<>();
            for (int i = 0; i < entries; i++) {
                pending.add(client.async().send(Message.valueOf(ByteString.copyFrom(CommandCodec.encode(
                        new QueueCommand.Enqueue(PUBLISHER, ++seq, 0, -1, new byte[200]))))));
            }
            long lastIndex = pending.stream().map(CompletableFuture::join)
                    .mapToLong(RaftClientReply::getLogIndex).max().orElseThrow();
            cluster.awaitApplied(lastIndex, WAIT);
            RatisTestCluster.await(WAIT, () -> cluster.running().stream().allMatch(p -> {
                try {
                    return cluster.division(p).getRaftLog().getStartIndex() > 100;
                } catch (IOException e) {
                    return false;
                }
            }));
            byte[] before = cluster.machine(cluster.running().get(0)).stateBytes();

            List<RaftPeerId> peers = cluster.running();
            cluster.effectsRun.values().forEach(List::clear);
            for (RaftPeerId peer : peers) {
                cluster.kill(peer);
            }
            for (RaftPeerId peer : peers) {
                cluster.restart(peer);
            }
            RaftClientReply tick = send(client, new QueueCommand.Tick());
            cluster.awaitApplied(tick.getLogIndex(), WAIT);

            for (RaftPeerId peer : peers) {
                QuorumQueueStateMachine machine = cluster.machine(peer);
                assertThat(machine.stats().ready()).isEqualTo(entries);
                assertThat(machine.appliedSinceStart()).as("entries replayed by %s", peer).isLessThan(150);
                // the Declare entry was purged with the log below the snapshot: the snapshot still registers it
                assertThat(cluster.effectsRun.get(peer.toString())).as("effects on %s", peer)
                        .anyMatch(e -> e instanceof Effect.Declared d && d.name().equals("orders"));
            }
            // The tick only advanced the time, so everything else is as before the restart.
            QuorumQueueState replayed = SnapshotCodec.read(
                    new ByteArrayInputStream(cluster.machine(peers.get(0)).stateBytes()), Long.MAX_VALUE);
            QuorumQueueState original = SnapshotCodec.read(new ByteArrayInputStream(before), before.length);
            assertThat(replayed.nextMessageId).isEqualTo(original.nextMessageId);
            assertThat(replayed.readyBytes()).isEqualTo(original.readyBytes());
        }
    }
}
