package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;

/** Tests that misbehave on a raw socket; after each one, a well-behaved client must still be served. */
abstract class AbstractRawSocketIT extends AbstractBrokerIT {

    protected static final Duration READ_TIMEOUT = Duration.ofSeconds(6);

    protected RawAmqpClient raw() throws IOException {
        return RawAmqpClient.connect(broker.host(), broker.port(), READ_TIMEOUT);
    }

    @AfterEach
    void wellBehavedClientStillWorks() throws Exception {
        Channel ch = openChannel();
        String q = ch.queueDeclare("", false, true, true, null).getQueue();
        publishConfirmed(ch, "", q, "still alive");
        assertThat(getText(ch, q)).isEqualTo("still alive");
    }
}
