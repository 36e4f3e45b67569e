package dev.ferrymq.broker.exchange.delayed;

import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.broker.exchange.ExchangeType;
import dev.ferrymq.broker.exchange.ExchangeTypes;
import dev.ferrymq.broker.routing.Router;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code x-delayed-message}: routes as the exchange type named by its {@code x-delayed-type} argument, after the
 * {@code x-delay} each message asks for (rabbitmq-delayed-message-exchange's contract). The argument is checked as
 * the plugin checks it, with its texts.
 */
public final class DelayedExchangeType implements ExchangeType {
    public static final String NAME = "x-delayed-message";
    public static final String TYPE_ARGUMENT = "x-delayed-type";

    private final ExchangeTypes types;
    private final DelayedMessages scheduler;

    /** @param types the broker's exchange types, for the type it routes as */
    public DelayedExchangeType(ExchangeTypes types, DelayedMessages scheduler) {
        this.types = types;
        this.scheduler = scheduler;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Router create(VirtualHost vhost, String exchange, boolean durable, Map<String, Object> arguments) {
        Object value = arguments.get(TYPE_ARGUMENT);
        String routeAs = value instanceof byte[] b ? new String(b, StandardCharsets.UTF_8)
                : value instanceof CharSequence s ? s.toString() : null;
        if (routeAs == null) {
            throw BrokerException.preconditionFailed(
                    "Invalid argument, 'x-delayed-type' must be an existing exchange type");
        }
        if (routeAs.equals(NAME)) {
            throw BrokerException.preconditionFailed(
                    "Invalid argument, 'x-delayed-message' can't be used for 'x-delayed-type'");
        }
        Router inner = types.create(routeAs, vhost, exchange, durable, arguments);
        if (inner == null) {
            throw BrokerException.commandInvalid("unknown exchange type '" + routeAs + "'");
        }
        return new DelayedRouter(inner, scheduler, vhost.name(), exchange, durable);
    }
}
