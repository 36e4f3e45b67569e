package dev.ferrymq.broker.dedup;

import dev.ferrymq.broker.Exchange;
import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.broker.exchange.ForwardingRouter;
import dev.ferrymq.broker.publish.PublishInterceptor;
import dev.ferrymq.broker.publish.PublishResult;
import dev.ferrymq.broker.routing.FanoutRouter;

import java.util.Map;

/**
 * The router of one deduplication exchange: routes like fanout (as the plugin's does), after dropping a message
 * whose {@code x-deduplication-header} value is in the cache. A dropped duplicate is confirmed to its publisher
 * and reaches no queue (so a mandatory one is returned, as with the plugin). The message's {@code x-cache-ttl}
 * header, if any, overrides the exchange's TTL for its identity.
 *
 * <p>Thread-safety: thread-safe.
 */
final class DedupRouter extends ForwardingRouter implements PublishInterceptor {
    private final IdentityCache cache;
    private final long ttl;
    private final DedupJournal journal; // null: the cache lives in memory only

    DedupRouter(IdentityCache cache, long ttl, DedupJournal journal) {
        super(new FanoutRouter());
        this.cache = cache;
        this.ttl = ttl;
        this.journal = journal;
    }

    @Override
    public PublishResult intercept(VirtualHost vhost, Exchange exchange, String routingKey, Message message,
                                   Map<String, Object> headers) {
        long identity = Identity.of(headers);
        if (identity == Identity.NONE) {
            return null;
        }
        long now = System.currentTimeMillis();
        long messageTtl = headers.containsKey(DedupArguments.TTL) ? DedupArguments.positive(
                headers.get(DedupArguments.TTL)) : 0;
        long entryTtl = messageTtl > 0 ? messageTtl : ttl;
        long expiresAt = entryTtl > 0 ? now + entryTtl : IdentityCache.NEVER;
        if (!cache.addIfAbsent(identity, expiresAt, now)) {
            return PublishResult.UNROUTED;
        }
        if (journal != null) {
            journal.added(identity, expiresAt, cache);
        }
        return null;
    }

    @Override
    public Map<String, Object> details() {
        return Map.of("cache_size", cache.size());
    }

    @Override
    public void deleted() {
        if (journal != null) {
            journal.delete();
        }
    }
}
