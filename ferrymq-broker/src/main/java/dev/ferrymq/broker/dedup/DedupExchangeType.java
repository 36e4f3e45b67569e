package dev.ferrymq.broker.dedup;

import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.broker.exchange.ExchangeType;
import dev.ferrymq.broker.persistence.Persistence;
import dev.ferrymq.broker.routing.Router;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * {@code x-message-deduplication}: rabbitmq-message-deduplication's exchange. The cache of a durable exchange is
 * journalled under {@code data/dedup/} and survives restarts, unless it is declared with
 * {@code x-cache-persistence: memory}; a transient exchange's cache is in memory only.
 */
public final class DedupExchangeType implements ExchangeType {
    public static final String NAME = "x-message-deduplication";
    public static final DedupExchangeType INSTANCE = new DedupExchangeType();

    private DedupExchangeType() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Router create(VirtualHost vhost, String exchange, boolean durable, Map<String, Object> arguments) {
        DedupArguments args = DedupArguments.parse(arguments);
        IdentityCache cache = new IdentityCache(args.size());
        DedupJournal journal = null;
        Persistence persistence = vhost.persistence();
        if (durable && persistence != null && !"memory".equals(args.persistence())) {
            try {
                journal = DedupJournal.open(persistence.openExchangeFile("dedup", vhost.name(), exchange), cache,
                        args.size());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new DedupRouter(cache, args.ttl(), journal);
    }
}
