package dev.ferrymq.broker.publish;

import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.RandomNames;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * RabbitMQ's direct reply-to: a consumer on the pseudo-queue {@value #ADDRESS} gets an address of its own,
 * {@code amq.rabbitmq.reply-to.<token>}, which a request's reply_to carries; a reply published to the default
 * exchange with that routing key goes straight to the consumer, no queue in between. One per virtual host;
 * thread-safe.
 */
public final class DirectReplyTo {
    public static final String ADDRESS = "amq.rabbitmq.reply-to";
    private static final String PREFIX = ADDRESS + ".";

    private final Map<String, Consumer<Message>> targets = new ConcurrentHashMap<>();

    /** Registers a direct reply-to consumer and returns its reply-to address. */
    public String register(Consumer<Message> target) {
        String token = RandomNames.withPrefix("");
        targets.put(token, target);
        return PREFIX + token;
    }

    /** Forgets the consumer behind {@code address}; replies sent to it from now on are unroutable. */
    public void unregister(String address) {
        if (address.startsWith(PREFIX)) {
            targets.remove(address.substring(PREFIX.length()));
        }
    }

    /** Hands {@code message} to the consumer whose address is {@code routingKey}; false if there is none. */
    public boolean deliver(String routingKey, Message message) {
        if (!routingKey.startsWith(PREFIX)) {
            return false;
        }
        Consumer<Message> target = targets.get(routingKey.substring(PREFIX.length()));
        if (target == null) {
            return false;
        }
        target.accept(message);
        return true;
    }
}
