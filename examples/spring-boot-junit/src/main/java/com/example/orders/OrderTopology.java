package com.example.orders;

import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.DirectExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Orders arrive on the topic exchange {@code orders} with the key {@code order.created} and wait in the queue of
 * that name. One that still fails after the listener's retries is rejected, and the queue dead-letters it through
 * {@code orders.dlx} to {@code order.created.dlq}. Spring's RabbitAdmin declares all of it at start.
 */
@Configuration
public class OrderTopology {
    public static final String EXCHANGE = "orders";
    public static final String CREATED = "order.created";
    public static final String ACCEPTED = "order.accepted";
    public static final String DEAD_LETTER_EXCHANGE = "orders.dlx";
    public static final String DEAD_LETTER_QUEUE = "order.created.dlq";

    @Bean
    TopicExchange orders() {
        return new TopicExchange(EXCHANGE);
    }

    @Bean
    Queue created() {
        return QueueBuilder.durable(CREATED).deadLetterExchange(DEAD_LETTER_EXCHANGE)
                .deadLetterRoutingKey(DEAD_LETTER_QUEUE).build();
    }

    @Bean
    Binding createdBinding() {
        return BindingBuilder.bind(created()).to(orders()).with(CREATED);
    }

    @Bean
    DirectExchange deadLetters() {
        return new DirectExchange(DEAD_LETTER_EXCHANGE);
    }

    @Bean
    Queue deadLetterQueue() {
        return QueueBuilder.durable(DEAD_LETTER_QUEUE).build();
    }

    @Bean
    Binding deadLetterBinding() {
        return BindingBuilder.bind(deadLetterQueue()).to(deadLetters()).with(DEAD_LETTER_QUEUE);
    }
}
