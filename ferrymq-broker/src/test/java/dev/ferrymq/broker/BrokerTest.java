package dev.ferrymq.broker;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BrokerTest {
    @Test
    void defaultsHaveTheRootVirtualHostWithBuiltInExchanges() {
        Broker broker = Broker.withDefaults();
        VirtualHost root = broker.virtualHost("/");
        assertThat(root).isNotNull();
        assertThat(root.name()).isEqualTo("/");
        assertThat(root.exchange("amq.fanout").type()).isEqualTo("fanout");
        assertThat(broker.virtualHosts()).containsExactly(root);
    }

    @Test
    void unknownVirtualHostIsNull() {
        assertThat(Broker.withDefaults().virtualHost("other")).isNull();
    }

    @Test
    void addingAVirtualHostTwiceReturnsTheSameOne() {
        Broker broker = Broker.withDefaults();
        VirtualHost a = broker.addVirtualHost("a");
        assertThat(broker.addVirtualHost("a")).isSameAs(a);
        assertThat(broker.virtualHost("a")).isSameAs(a);
    }

    @Test
    void virtualHostsAreIsolated() {
        Broker broker = Broker.withDefaults();
        VirtualHost a = broker.addVirtualHost("a");
        VirtualHost b = broker.addVirtualHost("b");
        a.declareQueue("q", false, false, false, false, java.util.Map.of(), null);
        assertThat(b.publish("", "q", Messages.msg("x"), null).queues()).isZero();
        assertThat(a.publish("", "q", Messages.msg("x"), null).queues()).isEqualTo(1);
    }
}
