package dev.ferrymq.cluster.remote;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PropertiesBytesTest {

    @Test
    void propertiesSurviveTheRoundTripThroughTheInternodeClient() {
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().contentType("text/plain")
                .deliveryMode(2).priority(3).headers(Map.of("k", List.of("v", 1)))
                .correlationId("c").userId("alice").build();
        byte[] encoded = PropertiesBytes.encode(properties);
        // flags first: content-type (bit 15), headers (13), delivery mode (12), priority (11), correlation id (10),
        // user id (4)
        assertThat(((encoded[0] & 0xff) << 8) | (encoded[1] & 0xff)).isEqualTo(0x8000 | 0x2000 | 0x1000 | 0x0800
                | 0x0400 | 0x0010);
        AMQP.BasicProperties decoded = PropertiesBytes.decode(encoded);
        assertThat(decoded.getContentType()).isEqualTo("text/plain");
        assertThat(decoded.getDeliveryMode()).isEqualTo(2);
        assertThat(decoded.getPriority()).isEqualTo(3);
        assertThat(decoded.getUserId()).isEqualTo("alice");
        assertThat(decoded.getHeaders().get("k").toString()).isEqualTo("[v, 1]");
        assertThat(PropertiesBytes.encode(decoded)).isEqualTo(encoded);
    }
}
