package dev.ferrymq.broker.queue.classic;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Congestion thresholds with hysteresis, the tighter ones near the heap budget, and the resume listeners. */
class FlowControlTest {
    @Test
    void congestedAboveTheHighMarkWhileConsumingUntilBelowTheLowMark() {
        FlowControl flow = new FlowControl();
        flow.delivered();
        flow.update(FlowControl.CONGESTED_ABOVE, false, true);
        assertThat(flow.congested()).isFalse();
        flow.update(FlowControl.CONGESTED_ABOVE + 1, false, true);
        assertThat(flow.congested()).isTrue();
        flow.update(FlowControl.UNCONGESTED_BELOW, false, true);
        assertThat(flow.congested()).as("between the marks: stays congested").isTrue();
        flow.update(FlowControl.UNCONGESTED_BELOW - 1, false, true);
        assertThat(flow.congested()).isFalse();
    }

    @Test
    void withoutConsumersABacklogNeverCongests() {
        FlowControl flow = new FlowControl();
        flow.delivered();
        flow.update(100_000, true, false);
        assertThat(flow.congested()).isFalse();
    }

    @Test
    void nearTheBudgetTheMarksAreLower() {
        FlowControl flow = new FlowControl();
        flow.delivered();
        flow.update(FlowControl.CONGESTED_NEAR_BUDGET_ABOVE + 1, true, true);
        assertThat(flow.congested()).isTrue();
        flow.update(FlowControl.UNCONGESTED_NEAR_BUDGET_BELOW - 1, true, true);
        assertThat(flow.congested()).isFalse();
    }

    @Test
    void listenersRunOnceWhenCongestionEnds() {
        FlowControl flow = new FlowControl();
        AtomicInteger runs = new AtomicInteger();
        assertThat(flow.addListener(runs::incrementAndGet)).as("not congested: the caller runs it").isFalse();
        flow.delivered();
        flow.update(FlowControl.CONGESTED_ABOVE + 1, false, true);
        assertThat(flow.addListener(runs::incrementAndGet)).isTrue();
        flow.update(FlowControl.CONGESTED_ABOVE + 1, false, false); // the last consumer left
        assertThat(runs).hasValue(1);
        flow.update(0, false, false);
        assertThat(runs).hasValue(1);
    }
}
