package dev.ferrymq.junit;

import dev.ferrymq.embedded.FerryMQBroker;
import org.springframework.test.context.DynamicPropertyRegistry;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Spring Boot's {@code spring.rabbitmq.*} properties for a broker: host, port, username, password, virtual host,
 * and {@code addresses} too (Boot ignores host and port when an application sets addresses). {@link FerryMQTest}
 * sets them in Spring tests by itself; {@link #register} is for a {@code @DynamicPropertySource} method, e.g. with
 * {@link FerryMQExtension#create()}:
 * <pre>{@code
 * @DynamicPropertySource
 * static void rabbit(DynamicPropertyRegistry registry) {
 *     SpringRabbitProperties.register(registry, ferry::broker);
 * }
 * }</pre>
 */
public final class SpringRabbitProperties {
    /** Each property and how to read it from a broker. */
    private static final Map<String, Function<FerryMQBroker, Object>> PROPERTIES = new LinkedHashMap<>();

    static {
        PROPERTIES.put("spring.rabbitmq.host", FerryMQBroker::host);
        PROPERTIES.put("spring.rabbitmq.port", FerryMQBroker::port);
        PROPERTIES.put("spring.rabbitmq.addresses", broker -> broker.host() + ":" + broker.port());
        PROPERTIES.put("spring.rabbitmq.username", FerryMQBroker::username);
        PROPERTIES.put("spring.rabbitmq.password", FerryMQBroker::password);
        PROPERTIES.put("spring.rabbitmq.virtual-host", FerryMQBroker::virtualHost);
    }

    private SpringRabbitProperties() {
    }

    public static Map<String, Object> of(FerryMQBroker broker) {
        Map<String, Object> values = new LinkedHashMap<>();
        PROPERTIES.forEach((name, value) -> values.put(name, value.apply(broker)));
        return values;
    }

    /** Adds the properties, read from the broker when Spring first asks for them. */
    public static void register(DynamicPropertyRegistry registry, Supplier<FerryMQBroker> broker) {
        PROPERTIES.forEach((name, value) -> registry.add(name, () -> value.apply(broker.get())));
    }
}
