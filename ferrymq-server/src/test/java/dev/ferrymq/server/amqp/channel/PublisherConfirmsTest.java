package dev.ferrymq.server.amqp.channel;

import dev.ferrymq.amqp.Method;
import dev.ferrymq.amqp.method.BasicAck;
import dev.ferrymq.amqp.method.BasicNack;
import dev.ferrymq.broker.MessageCounters;
import dev.ferrymq.broker.PublishBatch;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Confirms} without a socket: what is sent when, for stored, transient and refused publishes. */
class PublisherConfirmsTest {
    private final List<Method> sent = new ArrayList<>();
    /** Actions waiting for the next group commit; running them is the fsync. */
    private final List<Runnable> awaitingFsync = new ArrayList<>();
    private boolean open = true;
    private final MessageCounters totals = new MessageCounters();
    private final Confirms confirms = new Confirms(sent::add, awaitingFsync::add, Runnable::run, () -> { },
            () -> open, totals);

    private void fsync() {
        List<Runnable> actions = List.copyOf(awaitingFsync);
        awaitingFsync.clear();
        actions.forEach(Runnable::run);
    }

    private void publishTransient() {
        confirms.batch();
        confirms.published(false, false);
    }

    private PublishBatch publishStored() {
        PublishBatch batch = confirms.batch();
        batch.entryAdded(); // the queue stored it
        confirms.published(true, false);
        return batch;
    }

    private PublishBatch publishReplicated() {
        PublishBatch batch = confirms.batch();
        batch.replicationStarted(); // a quorum queue proposed it
        confirms.published(false, false);
        return batch;
    }

    @Test
    void publishToAQuorumQueueIsConfirmedOnlyOnceItsReplicasCommittedIt() {
        publishTransient();
        PublishBatch batch = publishReplicated();
        confirms.endOfReadBatch();
        assertThat(sent).isEmpty();
        batch.replicated(true);
        assertThat(sent).containsExactly(new BasicAck(2, true));
    }

    @Test
    void aQuorumQueueRefusingAPublishNacksItsReadBatch() {
        PublishBatch first = publishReplicated();
        confirms.endOfReadBatch();
        first.replicated(true);
        PublishBatch second = publishReplicated();
        publishReplicated();
        confirms.endOfReadBatch();
        second.replicated(false);
        assertThat(sent).containsExactly(new BasicAck(1, false));
        second.replicated(true);
        assertThat(sent).containsExactly(new BasicAck(1, false), new BasicNack(3, true, false));
    }

    @Test
    void aConfirmWaitingForItsReplicasHoldsBackLaterOnes() {
        PublishBatch batch = publishReplicated();
        confirms.endOfReadBatch();
        publishTransient();
        confirms.endOfReadBatch();
        assertThat(sent).isEmpty();
        batch.replicated(true);
        assertThat(sent).containsExactly(new BasicAck(2, true));
    }

    @Test
    void transientPublishesOfOneReadBatchAreConfirmedByOneMultipleAck() {
        publishTransient();
        publishTransient();
        publishTransient();
        assertThat(sent).isEmpty();
        confirms.endOfReadBatch();
        assertThat(sent).containsExactly(new BasicAck(3, true));
        assertThat(totals.confirmed.sum()).isEqualTo(3);
    }

    @Test
    void storedPublishIsConfirmedAfterTheGroupCommit() {
        publishStored();
        confirms.endOfReadBatch();
        assertThat(sent).isEmpty();
        fsync();
        assertThat(sent).containsExactly(new BasicAck(1, false));
    }

    @Test
    void storedPublishConsumedAndAcknowledgedIsConfirmedWithoutWaitingForDisk() {
        PublishBatch batch = publishStored();
        confirms.endOfReadBatch();
        batch.entrySettled(); // the consumer acked it
        assertThat(sent).containsExactly(new BasicAck(1, false));
        fsync();
        assertThat(sent).containsExactly(new BasicAck(1, false)); // nothing twice
    }

    @Test
    void nackWaitsForEarlierStoredPublishesSoConfirmsStayInPublishOrder() {
        publishStored();                    // 1: waits for fsync
        confirms.published(false, true);    // 2: refused by a full queue
        publishTransient();                 // 3
        confirms.endOfReadBatch();
        assertThat(sent).isEmpty();         // the nack of 2 and the ack of 3 wait behind 1
        fsync();
        assertThat(sent).containsExactly(new BasicAck(1, false), new BasicNack(2, false, false),
                new BasicAck(3, false));
    }

    @Test
    void nackAfterConfirmedPublishesGoesOutAtOnce() {
        publishTransient();
        publishTransient();
        confirms.published(false, true);
        assertThat(sent).containsExactly(new BasicAck(2, true), new BasicNack(3, false, false));
        confirms.endOfReadBatch();
        assertThat(sent).hasSize(2);
    }

    @Test
    void nothingIsSentOnAClosedChannel() {
        publishStored();
        confirms.endOfReadBatch();
        open = false;
        fsync();
        assertThat(sent).isEmpty();
    }
}
