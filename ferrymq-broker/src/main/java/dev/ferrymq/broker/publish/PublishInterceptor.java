package dev.ferrymq.broker.publish;

import dev.ferrymq.broker.Exchange;
import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.VirtualHost;

import java.util.Map;

/**
 * Implemented by an exchange's router that must see a message before it is routed (the delayed-message exchange
 * schedules it, the deduplication exchange drops a duplicate). The {@link Publisher} asks it first for every message
 * published to the exchange.
 *
 * <p>Thread-safety: called concurrently from any publishing thread.
 */
public interface PublishInterceptor {
    /**
     * @param headers the headers as published (may be null)
     * @return what became of the message if the interceptor took it (scheduled, dropped), or null to route it now
     */
    PublishResult intercept(VirtualHost vhost, Exchange exchange, String routingKey, Message message,
                            Map<String, Object> headers);
}
