package dev.ferrymq.broker.exchange;

import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.broker.routing.Router;

import java.util.Map;

/**
 * An exchange type beyond the four built-in routers (direct, fanout, topic, headers), registered with a broker's
 * {@link ExchangeTypes}: it validates an exchange's arguments and makes its {@link Router}. A router that also
 * implements {@link dev.ferrymq.broker.publish.PublishInterceptor} sees each message published to it before routing
 * (delay, deduplicate).
 *
 * <p>Thread-safety: implementations are thread-safe.
 */
public interface ExchangeType {
    /** The type name clients declare, e.g. {@code x-delayed-message}. */
    String name();

    /**
     * The router of a new exchange.
     *
     * @throws dev.ferrymq.broker.BrokerException 406 for invalid arguments
     */
    Router create(VirtualHost vhost, String exchange, boolean durable, Map<String, Object> arguments);
}
