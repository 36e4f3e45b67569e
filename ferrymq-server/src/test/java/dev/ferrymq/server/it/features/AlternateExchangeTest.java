package dev.ferrymq.server.it.features;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import dev.ferrymq.server.it.AbstractBrokerIT;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** alternate-exchange: messages the exchange cannot route go to its alternate. */
class AlternateExchangeTest extends AbstractBrokerIT {

    @Test
    void unroutableMessagesGoToTheAlternateExchange() throws Exception {
        Channel ch = openChannel();
        String ae = declareExchange(ch, "fanout");
        String unrouted = declareQueue(ch);
        ch.queueBind(unrouted, ae, "");
        String main = exchangeToDelete(unique("main"));
        ch.exchangeDeclare(main, "direct", false, false, Map.of("alternate-exchange", ae));
        String routed = declareQueue(ch);
        ch.queueBind(routed, main, "known");

        publishConfirmed(ch, main, "known", "to-routed");
        publishConfirmed(ch, main, "unknown", "to-alternate");

        assertThat(getText(ch, routed)).isEqualTo("to-routed");
        assertThat(getText(ch, unrouted)).isEqualTo("to-alternate");
        assertThat(getText(ch, routed)).isNull();
    }

    @Test
    void mandatoryMessageTakenByTheAlternateIsNotReturned() throws Exception {
        Channel ch = openChannel();
        String ae = declareExchange(ch, "fanout");
        String unrouted = declareQueue(ch);
        ch.queueBind(unrouted, ae, "");
        String main = exchangeToDelete(unique("main"));
        ch.exchangeDeclare(main, "direct", false, false, Map.of("alternate-exchange", ae));
        java.util.concurrent.atomic.AtomicInteger returned = new java.util.concurrent.atomic.AtomicInteger();
        ch.addReturnListener(r -> returned.incrementAndGet());
        ch.confirmSelect();
        ch.basicPublish(main, "nowhere", true, null, bytes("x"));
        ch.waitForConfirmsOrDie(WAIT.toMillis());
        assertThat(returned).hasValue(0);
        assertThat(getText(ch, unrouted)).isEqualTo("x");
    }
}
