package dev.ferrymq.server.amqp.channel;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link ChannelCredit}: RabbitMQ's prefetch rules, per consumer and per channel (basic.qos global). */
class ChannelCreditTest {
    private final ChannelCredit credit = new ChannelCredit();

    private static ChannelConsumer consumer(int prefetch) {
        return new ChannelConsumer(null, null, "ctag", null, false, prefetch, 0, null);
    }

    @Test
    void consumerPrefetchBoundsEachConsumerAndAReleaseReopensIt() {
        credit.qos(2, false);
        ChannelConsumer first = consumer(credit.consumerPrefetch());
        ChannelConsumer second = consumer(credit.consumerPrefetch());
        assertThat(credit.reserve(first)).isTrue();
        assertThat(credit.reserve(first)).isTrue();
        assertThat(credit.reserve(first)).isFalse();
        assertThat(credit.reserve(second)).isTrue(); // its own window
        credit.release(first);
        assertThat(credit.reserve(first)).isTrue();
        assertThat(first.inFlight()).isEqualTo(2);
    }

    @Test
    void globalPrefetchBoundsTheChannelsConsumersTogetherWithoutLeakingConsumerCredit() {
        credit.qos(3, true);
        ChannelConsumer first = consumer(0);
        ChannelConsumer second = consumer(0);
        assertThat(credit.reserve(first)).isTrue();
        assertThat(credit.reserve(second)).isTrue();
        assertThat(credit.reserve(first)).isTrue();
        assertThat(credit.reserve(second)).isFalse();
        assertThat(second.inFlight()).isEqualTo(1); // the refused reservation gave its consumer credit back
        credit.release(first);
        assertThat(credit.reserve(second)).isTrue();
    }

    @Test
    void bothWindowsApplyAtOnce() {
        credit.qos(1, false);
        credit.qos(5, true);
        ChannelConsumer consumer = consumer(credit.consumerPrefetch());
        assertThat(credit.reserve(consumer)).isTrue();
        assertThat(credit.reserve(consumer)).isFalse();
    }

    @Test
    void prefetchAppliesToConsumersCreatedAfterTheQos() {
        ChannelConsumer before = consumer(credit.consumerPrefetch());
        credit.qos(1, false);
        assertThat(credit.reserve(before)).isTrue();
        assertThat(credit.reserve(before)).isTrue(); // unlimited: created before
    }

    @Test
    void qosAndReleasesAskTheQueuesToDispatchAgain() {
        assertThat(credit.takeReturned()).isFalse();
        credit.qos(10, false);
        assertThat(credit.takeReturned()).isTrue();
        assertThat(credit.takeReturned()).isFalse();
        ChannelConsumer consumer = consumer(10);
        credit.reserve(consumer);
        credit.release(consumer);
        assertThat(credit.takeReturned()).isTrue();
    }
}
