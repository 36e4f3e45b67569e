package dev.ferrymq.broker.exchange.delayed;

import dev.ferrymq.broker.Exchange;
import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.broker.exchange.ForwardingRouter;
import dev.ferrymq.broker.publish.PublishInterceptor;
import dev.ferrymq.broker.publish.PublishResult;
import dev.ferrymq.broker.routing.Router;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The router of one delayed-message exchange: bindings and matching are those of the type it routes as (the
 * wrapped router); a message with a positive {@code x-delay} is handed to the {@link DelayedMessages} scheduler
 * instead of being routed, and routed through this exchange, with the bindings it has then, when it is due.
 *
 * <p>Thread-safety: thread-safe (the wrapped router is, and the scheduler is).
 */
final class DelayedRouter extends ForwardingRouter implements PublishInterceptor {
    private final DelayedMessages scheduler;
    private final String vhost;
    private final String exchange;
    private final boolean durable;

    DelayedRouter(Router inner, DelayedMessages scheduler, String vhost, String exchange, boolean durable) {
        super(inner);
        this.scheduler = scheduler;
        this.vhost = vhost;
        this.exchange = exchange;
        this.durable = durable;
    }

    @Override
    public PublishResult intercept(VirtualHost host, Exchange published, String routingKey, Message message,
                                   Map<String, Object> headers) {
        long delay = DelayHeader.delay(headers);
        if (delay == DelayHeader.NONE) {
            return null;
        }
        boolean survivesRestart = durable && message.persistent();
        scheduler.schedule(vhost, exchange, System.currentTimeMillis() + delay, survivesRestart, message);
        // Counted as routed: the scheduler holds it (no basic.return for mandatory, unlike the plugin).
        return new PublishResult(1, survivesRestart, null, false);
    }

    /** The scheduled count (the plugin's {@code messages_delayed}) and the next due time. */
    @Override
    public Map<String, Object> details() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("messages_delayed", scheduler.count(vhost, exchange));
        long next = scheduler.nextDue(vhost, exchange);
        details.put("next_delivery", next < 0 ? null : Instant.ofEpochMilli(next).toString());
        return details;
    }
}
