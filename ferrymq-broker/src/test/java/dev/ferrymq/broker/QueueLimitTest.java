package dev.ferrymq.broker;

import dev.ferrymq.broker.queue.ExclusiveOwner;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** RabbitMQ's vhost max-queues limit, checked by {@link VirtualHost#declareQueue} in the same step as the creation. */
class QueueLimitTest {
    private final ExclusiveOwner conn = new ExclusiveOwner() { };
    private final VirtualHost vhost = new VirtualHost("/");

    private VirtualHost.DeclaredQueue declare(String name, boolean passive, int maxQueues) {
        return vhost.declareQueue(name, passive, false, false, false, Map.of(), conn, maxQueues);
    }

    @Test
    void aNewQueueBeyondTheLimitIs406ButExistingQueuesMayBeRedeclared() {
        declare("a", false, 2);
        declare("b", false, 2);
        assertThatThrownBy(() -> declare("c", false, 2)).isInstanceOfSatisfying(BrokerException.class, e -> {
            assertThat(e.replyCode()).isEqualTo(BrokerException.PRECONDITION_FAILED);
            assertThat(e.getMessage()).isEqualTo("PRECONDITION_FAILED - cannot declare queue 'c': queue limit in"
                    + " vhost '/' (2) is reached");
        });
        assertThatThrownBy(() -> declare("", false, 2)).isInstanceOf(BrokerException.class); // server-named
        assertThat(declare("a", false, 2).queue().name()).isEqualTo("a");
        assertThat(declare("b", true, 2).queue().name()).isEqualTo("b");
        assertThat(vhost.queues()).hasSize(2);
    }

    @Test
    void zeroMeansNoLimit() {
        for (int i = 0; i < 5; i++) {
            declare("q" + i, false, 0);
        }
        assertThat(vhost.queues()).hasSize(5);
    }
}
