package dev.ferrymq.broker;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Full queues that dead-letter into each other settle down without recursing through the stack. */
class DeadLetterChainTest {
    @Test
    void fullQueuesDeadLetteringIntoEachOtherTerminate() {
        Broker broker = Broker.withDefaults();
        broker.usePropertiesCodec(new SerializingPropertiesCodec());
        VirtualHost vhost = broker.virtualHost("/");
        int limit = 5_000;
        vhost.declareQueue("a", false, false, false, false, Map.of("x-max-length", limit,
                "x-dead-letter-exchange", "", "x-dead-letter-routing-key", "b"), null);
        vhost.declareQueue("b", false, false, false, false, Map.of("x-max-length", limit,
                "x-dead-letter-exchange", "", "x-dead-letter-routing-key", "a"), null);
        for (int i = 0; i < limit; i++) {
            vhost.publish("", "a", Messages.msg("a" + i), Map::of);
            vhost.publish("", "b", Messages.msg("b" + i), Map::of);
        }
        // One more message overflows a, whose head goes to b, whose head goes to a, and so on.
        vhost.publish("", "a", Messages.msg("overflow"), Map::of);
        assertThat(vhost.queue("a", null).messageCount()).isEqualTo(limit);
        assertThat(vhost.queue("b", null).messageCount()).isEqualTo(limit);
    }
}
