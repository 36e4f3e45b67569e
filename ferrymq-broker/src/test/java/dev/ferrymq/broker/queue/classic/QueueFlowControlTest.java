package dev.ferrymq.broker.queue.classic;

import dev.ferrymq.broker.FakeConsumer;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.broker.queue.Queue;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.ferrymq.broker.Messages.msg;
import static org.assertj.core.api.Assertions.assertThat;

/** Queue-side flow control: when to ask publishers to pause, and telling them when to go on. */
class QueueFlowControlTest {
    private VirtualHost vhost;
    private Queue queue;

    @BeforeEach
    void setUp() {
        vhost = new VirtualHost("/");
        queue = vhost.declareQueue("q", false, false, false, false, Map.of(), null).queue();
    }

    private void publish(int count) {
        for (int i = 0; i < count; i++) {
            queue.publish(msg("m" + i), Queue.NOT_STORED, null);
        }
    }

    /** A consumer that took some messages and then ran out of credit, as a slow consumer does. */
    private FakeConsumer slowConsumer() {
        FakeConsumer consumer = new FakeConsumer("slow");
        consumer.credit(10);
        queue.addConsumer(consumer, false);
        return consumer;
    }

    @Test
    void aBacklogWithoutConsumersNeverPausesPublishers() {
        publish(5_000);
        assertThat(queue.congested()).isFalse();
    }

    @Test
    void aBacklogBehindASlowConsumerIsCongested() {
        slowConsumer();
        publish(1_000);
        assertThat(queue.congested()).as("a short backlog is fine").isFalse();
        publish(1_100);
        assertThat(queue.congested()).isTrue();
    }

    @Test
    void publishersAreToldToGoOnOnceTheBacklogHalves() {
        FakeConsumer consumer = slowConsumer();
        publish(2_100);
        AtomicInteger resumed = new AtomicInteger();
        queue.whenUncongested(resumed::incrementAndGet);
        assertThat(resumed).hasValue(0);

        consumer.credit(1_000);
        queue.dispatch();
        assertThat(resumed).as("backlog still above 1,000").hasValue(0);
        consumer.credit(200);
        queue.dispatch();
        assertThat(queue.congested()).isFalse();
        assertThat(resumed).hasValue(1);
    }

    @Test
    void aListenerAddedWhenNotCongestedRunsAtOnce() {
        AtomicInteger resumed = new AtomicInteger();
        queue.whenUncongested(resumed::incrementAndGet);
        assertThat(resumed).hasValue(1);
    }

    @Test
    void aStalledConsumerStopsPausingPublishers() throws InterruptedException {
        slowConsumer();
        publish(2_100);
        assertThat(queue.congested()).isTrue();
        Thread.sleep(FlowControl.STALLED_AFTER_NANOS / 1_000_000 + 50); // no delivery in between
        assertThat(queue.congested()).as("nothing delivered for a while: stalled, not slow").isFalse();
    }

    @Test
    void removingTheLastConsumerEndsCongestionAndReleasesWaiters() {
        FakeConsumer consumer = slowConsumer();
        publish(2_100);
        AtomicInteger resumed = new AtomicInteger();
        queue.whenUncongested(resumed::incrementAndGet);
        queue.removeConsumer(consumer);
        assertThat(queue.congested()).isFalse();
        assertThat(resumed).hasValue(1);
    }
}
