package dev.ferrymq.embedded;

import com.rabbitmq.client.ConnectionFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class AmqpAddressTest {
    @ParameterizedTest
    @ValueSource(strings = {"amqp://guest:guest@127.0.0.1:5699", "amqp://127.0.0.1", "amqp://u:p@host:1/",
            "amqp://u:p%40ss@host:1/%2F", "amqp://u@host/prod", "amqp://u:@host", "amqps://host", "amqp://u:a+b@h:2/v%20h"})
    void readsAUriAsTheRabbitMQClientDoes(String uri) throws Exception {
        ConnectionFactory client = new ConnectionFactory();
        client.setUri(uri);
        AmqpAddress address = AmqpAddress.parse(uri);
        assertThat(address).isEqualTo(new AmqpAddress(client.getHost(), client.getPort(), client.getUsername(),
                client.getPassword(), client.getVirtualHost()));
    }
}
