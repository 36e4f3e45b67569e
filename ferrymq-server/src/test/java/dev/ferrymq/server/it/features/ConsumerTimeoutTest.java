package dev.ferrymq.server.it.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import dev.ferrymq.server.config.ServerConfig;
import dev.ferrymq.server.config.Settings;
import dev.ferrymq.server.it.AbstractBrokerIT;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** consumer_timeout: a delivery left unacknowledged too long closes its channel with 406, as in RabbitMQ. */
class ConsumerTimeoutTest extends AbstractBrokerIT {

    @Override
    protected ServerConfig configure(ServerConfig defaults) {
        return defaults.with(Settings.CONSUMER_TIMEOUT, 300L);
    }

    @Test
    void unacknowledgedDeliveryClosesTheChannelAndIsRequeued() throws Exception {
        assumeFalse(broker.isExternal(), "needs an in-process FerryMQ with a short consumer timeout");
        Channel ch = openChannel();
        String q = declareQueue(ch);
        publishConfirmed(ch, "", q, "work");
        CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
        ch.addShutdownListener(closed::complete);
        ch.basicConsume(q, false, (tag, delivery) -> { }, tag -> { }); // never acks

        ShutdownSignalException sse = closed.get(10, TimeUnit.SECONDS);
        assertThat(replyCode(sse)).isEqualTo(PRECONDITION_FAILED);
        assertThat(replyText(sse)).contains("delivery acknowledgement on channel " + ch.getChannelNumber()
                + " timed out");
        Channel again = openChannel();
        assertThat(getText(again, q)).as("the message was requeued").isEqualTo("work");
        assertThat(again.getConnection().isOpen()).isTrue();
    }
}
