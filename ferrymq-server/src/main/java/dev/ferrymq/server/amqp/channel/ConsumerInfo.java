package dev.ferrymq.server.amqp.channel;

/** One consumer on a channel; {@code queue} is "amq.rabbitmq.reply-to" for a direct reply-to consumer. */
public record ConsumerInfo(String tag, String queue, boolean ackRequired, int prefetchCount) {
}
