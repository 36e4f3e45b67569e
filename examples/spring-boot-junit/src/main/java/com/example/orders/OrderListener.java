package com.example.orders;

import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.stereotype.Component;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Takes orders ({@code "<id>,<quantity>"}), announces each valid one as {@code order.accepted} with its id, and
 * throws for an invalid one, which the container retries (application.properties) and then dead-letters.
 */
@Component
public class OrderListener {
    private final RabbitTemplate rabbit;
    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();

    public OrderListener(RabbitTemplate rabbit) {
        this.rabbit = rabbit;
    }

    @RabbitListener(queues = OrderTopology.CREATED)
    public void onOrder(String order) {
        String[] fields = order.split(",");
        String id = fields[0];
        attempts.computeIfAbsent(id, key -> new AtomicInteger()).incrementAndGet();
        if (fields.length != 2 || Integer.parseInt(fields[1]) <= 0) {
            throw new IllegalArgumentException("invalid order " + order);
        }
        rabbit.convertAndSend(OrderTopology.EXCHANGE, OrderTopology.ACCEPTED, id);
    }

    /** How many times the listener was called for an order. */
    public int attempts(String id) {
        AtomicInteger count = attempts.get(id);
        return count == null ? 0 : count.get();
    }
}
