package dev.ferrymq.junit;

import dev.ferrymq.embedded.FerryMQBroker;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.test.context.junit.jupiter.SpringJUnitConfig;

import java.time.Duration;

import static dev.ferrymq.junit.Cases.SEEN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Spring test context gets {@code spring.rabbitmq.*} pointing at the class's broker (what Spring Boot's
 * RabbitAutoConfiguration reads; plain Spring here, reading them as Boot would), and is closed before the broker.
 */
class SpringContextTest {
    static ConfigurableApplicationContext loaded;

    @Test
    void springRabbitPropertiesPointAtTheClassBrokerAndTheContextClosesBeforeIt() {
        Cases.runAllPassing(WithSpring.class, 1);
        assertThat(loaded.isActive()).as("context closed with the broker").isFalse();
        assertThat(Cases.accepting(SEEN.get(0))).isFalse();
    }

    @FerryMQTest
    @SpringJUnitConfig(RabbitConfig.class)
    static class WithSpring {
        @Autowired
        RabbitTemplate template;
        @Autowired
        Environment environment;
        @Autowired
        ConfigurableApplicationContext context;

        @Test
        void sendsThroughRabbitTemplate(FerryMQBroker broker) {
            SEEN.add(broker);
            loaded = context;
            assertThat(environment.getProperty("spring.rabbitmq.port", Integer.class)).isEqualTo(broker.port());
            assertThat(environment.getProperty("spring.rabbitmq.addresses"))
                    .isEqualTo("127.0.0.1:" + broker.port());
            template.convertAndSend("greetings", "hello");
            assertThat(broker.awaitMessages("greetings", 1, Duration.ofSeconds(5)).get(0).bodyAsString())
                    .isEqualTo("hello");
        }
    }

    @Configuration
    static class RabbitConfig {
        @Bean
        CachingConnectionFactory connectionFactory(Environment environment) {
            CachingConnectionFactory factory = new CachingConnectionFactory(
                    environment.getRequiredProperty("spring.rabbitmq.host"),
                    environment.getRequiredProperty("spring.rabbitmq.port", Integer.class));
            factory.setUsername(environment.getRequiredProperty("spring.rabbitmq.username"));
            factory.setPassword(environment.getRequiredProperty("spring.rabbitmq.password"));
            factory.setVirtualHost(environment.getRequiredProperty("spring.rabbitmq.virtual-host"));
            return factory;
        }

        @Bean
        RabbitAdmin admin(CachingConnectionFactory factory) {
            return new RabbitAdmin(factory);
        }

        @Bean
        Queue greetings() {
            return new Queue("greetings", false);
        }

        @Bean
        RabbitTemplate template(CachingConnectionFactory factory) {
            return new RabbitTemplate(factory);
        }
    }
}
