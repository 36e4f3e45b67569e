package dev.ferrymq.broker.publish;

import dev.ferrymq.broker.Message;

import java.util.Map;

/**
 * A message ready to be routed, made by {@link Publisher#prepare}: a transport may hold it (a transaction does,
 * until commit) and hand it to {@link Publisher#publish(PublishRequest, dev.ferrymq.broker.PublishBatch)}.
 *
 * @param exchange   the exchange it is published to ("" for the default exchange)
 * @param routingKey the routing key it is published with
 * @param message    the message as queues keep it (BCC removed, expiry and priority set)
 * @param headers    the headers as published, BCC included, for the headers exchange and CC/BCC routing; null when
 *                   there are none
 */
public record PublishRequest(String exchange, String routingKey, Message message, Map<String, Object> headers) {
}
