package dev.ferrymq.broker.exchange.delayed;

import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.PropertiesCodec;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.broker.persistence.MessageCodec;
import dev.ferrymq.broker.publish.PublishRequest;
import dev.ferrymq.broker.publish.Publisher;
import dev.ferrymq.store.Syncer;
import dev.ferrymq.store.schedule.DueEntry;
import dev.ferrymq.store.schedule.ScheduleLog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's scheduler of delayed messages: every message a delayed-message exchange delays is written to a
 * {@link ScheduleLog} (time-bucketed files under {@code data/delayed/}, fsynced by the store's group commit, so
 * a confirm means "durably scheduled"), and one thread routes each through its exchange when it is due, with the
 * bindings the exchange has then and {@code x-delay} turned negative (as the plugin does). A bucket's entries are
 * marked fired once what they were routed to is durable; a crash in between routes them again (at least once).
 *
 * <p>Due times are wall-clock (epoch ms at publish + {@code x-delay}), as the plugin's: a clock set back delays
 * messages by as much, a clock set forward releases them early.
 *
 * <p>Thread-safety: thread-safe; {@link #schedule} is called from publishing threads, the firing runs on its own
 * thread ({@code ferrymq-delayed}).
 */
public final class DelayedMessages implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DelayedMessages.class);
    /** One bucket file per second of due times. */
    public static final long BUCKET_MILLIS = 1000;

    private final ScheduleLog log;
    private final Syncer syncer;
    private final Function<String, VirtualHost> vhosts;
    private final LongAdder scheduled = new LongAdder();
    private final LongAdder routed = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final Lateness lateness = new Lateness();
    private final Thread thread;
    private volatile boolean running = true;

    private DelayedMessages(ScheduleLog log, Syncer syncer, Function<String, VirtualHost> vhosts) {
        this.log = log;
        this.syncer = syncer;
        this.vhosts = vhosts;
        this.thread = new Thread(this::run, "ferrymq-delayed");
        this.thread.setDaemon(true);
    }

    /**
     * Opens (recovering) the scheduled messages in {@code dir}; call {@link #start} once the topology is recovered.
     *
     * @param vhosts the virtual host of a name, or null if it is gone
     */
    public static DelayedMessages open(Path dir, Syncer syncer, Function<String, VirtualHost> vhosts)
            throws IOException {
        return new DelayedMessages(ScheduleLog.open(dir, syncer, BUCKET_MILLIS), syncer, vhosts);
    }

    /**
     * Starts routing messages as they fall due, and counting (on another thread) the messages scheduled before the
     * restart: until that count is done, the per-exchange counts leave out those not due yet.
     */
    public void start() {
        thread.start();
        Thread counting = new Thread(this::countRecovered, "ferrymq-delayed-recovery");
        counting.setDaemon(true);
        counting.start();
    }

    private void countRecovered() {
        long started = System.nanoTime();
        try {
            long counted = log.summarizeRecovered();
            LOG.info("Delayed messages: {} scheduled before the restart counted in {} ms", counted,
                    (System.nanoTime() - started) / 1_000_000);
        } catch (IOException | RuntimeException e) {
            if (running) {
                LOG.error("Could not count the delayed messages scheduled before the restart", e);
            }
        }
    }

    /**
     * Schedules {@code message}, published to {@code exchange} in {@code vhost}, for {@code due} (epoch ms).
     *
     * @param durable whether it survives a restart (a persistent message on a durable exchange)
     */
    void schedule(String vhost, String exchange, long due, boolean durable, Message message) {
        try {
            log.add(due, durable, key(vhost, exchange), MessageCodec.encode(message));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        scheduled.increment();
    }

    /** Messages scheduled and not yet routed, in all exchanges. */
    public long count() {
        return log.count();
    }

    /** Messages scheduled in one exchange. */
    public long count(String vhost, String exchange) {
        return log.count(key(vhost, exchange));
    }

    /** The due time (epoch ms) of the exchange's next message, or -1. */
    public long nextDue(String vhost, String exchange) {
        return log.nextDue(key(vhost, exchange));
    }

    /**
     * Figures for /metrics: scheduled, routed and dropped totals, pending now, on-disk buckets, entries loaded on
     * the heap, and how late messages were routed (quantiles in ms since start, -1 before the first).
     */
    public Map<String, Long> figures() {
        Map<String, Long> figures = new LinkedHashMap<>();
        figures.put("scheduled_total", scheduled.sum());
        figures.put("routed_total", routed.sum());
        figures.put("dropped_total", dropped.sum());
        figures.put("pending", log.count());
        figures.put("buckets", (long) log.buckets());
        figures.put("loaded", (long) log.loadedEntries());
        figures.put("lateness_p50_ms", lateness.quantile(0.5));
        figures.put("lateness_p99_ms", lateness.quantile(0.99));
        figures.put("lateness_max_ms", lateness.quantile(1.0));
        return figures;
    }

    private static String key(String vhost, String exchange) {
        return vhost + '\u0000' + exchange;
    }

    private void run() {
        while (running) {
            try {
                ScheduleLog.Batch batch = log.takeDue(System.currentTimeMillis());
                if (batch.isEmpty()) {
                    log.awaitWork(1000);
                    continue;
                }
                for (DueEntry entry : batch.entries()) {
                    route(entry);
                    lateness.record(System.currentTimeMillis() - entry.due());
                }
                syncer.whenDurable(() -> settle(batch));
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException | IOException e) {
                if (!running) {
                    return;
                }
                LOG.error("Delayed-message scheduler failed; retrying in a second", e);
                sleepQuietly();
            }
        }
    }

    private void settle(ScheduleLog.Batch batch) {
        try {
            log.settle(batch);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not mark delayed messages as routed (they may be routed again after a restart)", e);
        }
    }

    /** Routes a due message through its exchange, if the exchange is still there. */
    private void route(DueEntry entry) {
        String key = entry.key();
        VirtualHost vhost = vhosts.apply(key.substring(0, key.indexOf('\u0000')));
        Message message = MessageCodec.decode(entry.payload());
        if (vhost == null) {
            dropped.increment();
            return;
        }
        try {
            PropertiesCodec codec = vhost.propertiesCodec();
            Publisher publisher = vhost.publisher();
            if (codec == PropertiesCodec.OPAQUE) {
                publisher.route(message.exchange(), message.routingKey(), message, null, null);
            } else {
                Map<String, Object> headers = new LinkedHashMap<>(codec.headers(message.properties()));
                headers.put(DelayHeader.NAME, DelayHeader.delivered(headers.get(DelayHeader.NAME)));
                byte[] properties = codec.withHeaders(message.properties(), headers, false);
                // prepare again: the expiration (per-message TTL) counts from now, as in the plugin
                PublishRequest request = publisher.prepare(message.exchange(), message.routingKey(), properties,
                        codec.decode(properties), message.body());
                publisher.route(request.exchange(), request.routingKey(), request.message(), request.headers(),
                        null);
            }
            routed.increment();
        } catch (BrokerException e) {
            // the exchange was deleted meanwhile: the message is dropped, as the plugin drops it
            LOG.debug("Dropping delayed message for '{}': {}", message.exchange(), e.getMessage());
            dropped.increment();
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the firing thread and closes the log (call before the store's syncer closes). */
    @Override
    public void close() throws IOException {
        running = false;
        log.close();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
