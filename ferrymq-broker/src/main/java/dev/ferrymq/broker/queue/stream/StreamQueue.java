package dev.ferrymq.broker.queue.stream;

import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.PropertiesCodec;
import dev.ferrymq.broker.PublishBatch;
import dev.ferrymq.broker.persistence.Persistence;
import dev.ferrymq.broker.queue.AbstractQueue;
import dev.ferrymq.broker.queue.DeadLetterSink;
import dev.ferrymq.broker.queue.QueueArguments;
import dev.ferrymq.broker.queue.QueueConsumer;
import dev.ferrymq.broker.queue.QueueDeclaration;
import dev.ferrymq.broker.queue.QueueEntry;
import dev.ferrymq.broker.queue.QueueHost;
import dev.ferrymq.broker.queue.QueuePolicies;
import dev.ferrymq.broker.queue.QueueType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream ({@code x-queue-type: stream}, RabbitMQ's stream queue over AMQP 0-9-1): an append-only log that
 * consumers read without removing anything, each from where its {@code x-stream-offset} says. Every message is
 * written to the stream's own segment log ({@link StreamLog}); a publisher confirm waits for the shared group
 * commit, and consumers only see what it made durable. Acks only return the consumer's credit. See
 * docs/streams.md.
 *
 * <p>Thread-safe: appends are serialised by the log, dispatch by {@link StreamReaders}; no lock is held while
 * calling into the virtual host.
 */
public final class StreamQueue extends AbstractQueue {
    private static final Logger LOG = LoggerFactory.getLogger(StreamQueue.class);
    static final String OFFSET_HEADER = "x-stream-offset";

    private final Persistence persistence;
    private final StreamLog log;
    private final Retention retention;
    private final StreamReaders readers = new StreamReaders();
    private final ScheduledFuture<?> retentionTimer;
    private volatile boolean deleted;

    StreamQueue(QueueHost host, QueueDeclaration declaration, StreamArguments arguments) {
        super(host, declaration, QueueArguments.NONE);
        this.persistence = vhost.persistence();
        if (persistence == null) {
            throw BrokerException.preconditionFailed("cannot declare " + this + ": streams need a data directory");
        }
        this.retention = new Retention(arguments);
        try {
            this.log = new StreamLog(persistence.openStreamLog(vhost.name(), name, arguments.segmentSize()),
                    () -> StreamScheduler.EXECUTOR.execute(this::dispatch));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the log of " + this, e);
        }
        this.retentionTimer = !retention.any() ? null : StreamScheduler.EXECUTOR.scheduleWithFixedDelay(
                this::applyRetention, Retention.PERIOD_MILLIS, Retention.PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public QueueType type() {
        return StreamQueueType.INSTANCE;
    }

    /** The stream keeps every message in its own log, not in the shared message store. */
    @Override
    public boolean keepsPersistentMessages() {
        return false;
    }

    @Override
    public boolean survivesRestart() {
        return true;
    }

    @Override
    public boolean appendsEveryMessage() {
        return true;
    }

    // ---------------------------------------------------------------- messages

    @Override
    public boolean publish(Message message, long storedAt, PublishBatch batch, DeadLetterSink deadLetters) {
        if (deleted) {
            return true; // raced a delete: dropped, as a deleted queue's messages are
        }
        try {
            log.append(message);
        } catch (IllegalStateException e) {
            if (deleted) {
                return true; // deleted (its log closed) while we appended: dropped with the stream
            }
            throw e;
        }
        if (retention.overSize(log)) {
            applyRetention();
        }
        return true;
    }

    private void applyRetention() {
        try {
            int segments = retention.apply(log);
            if (segments > 0) {
                LOG.debug("Retention deleted {} segment(s) of {}; first offset now {}", segments, this,
                        log.firstOffset());
            }
        } catch (RuntimeException e) {
            LOG.warn("Retention of {} failed", this, e);
        }
    }

    /** basic.get: RabbitMQ refuses it on a stream (540, closing the connection). */
    @Override
    public QueueEntry get(boolean noAck) {
        throw BrokerException.notImplemented("basic.get not supported by stream queues " + this);
    }

    /** An ack only returns the consumer's credit (the channel does that); the message stays. */
    @Override
    public void settle(QueueEntry entry) {
        counters().acked.increment();
    }

    @Override
    public void settleAll(List<QueueEntry> entries) {
        counters().acked.add(entries.size());
    }

    /** Reject and nack (with or without requeue) only return credit, as in RabbitMQ: nothing leaves a stream. */
    @Override
    public void reject(QueueEntry entry) {
    }

    @Override
    public void requeue(List<QueueEntry> entries) {
    }

    @Override
    public int purge() {
        throw BrokerException.notImplemented("queue.purge not supported by stream queues " + this);
    }

    // ---------------------------------------------------------------- consumers

    @Override
    public void addConsumer(QueueConsumer consumer, boolean exclusiveUse) {
        if (deleted) {
            throw BrokerException.notFound("no " + this);
        }
        if (consumer.noAck()) {
            throw BrokerException.notImplemented("automatic acknowledgement not supported by stream queues " + this);
        }
        if (consumer.prefetch() == 0) {
            throw BrokerException.preconditionFailed("consumer prefetch count is not set for '" + this + "'");
        }
        long start;
        try {
            start = StreamOffset.start(consumer.arguments(), log, toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        readers.add(consumer, new StreamCursor(log, start));
        dispatch();
    }

    @Override
    public void removeConsumer(QueueConsumer consumer) {
        readers.remove(consumer);
    }

    @Override
    public QueueConsumer activeConsumer() {
        return null;
    }

    @Override
    public void dispatch() {
        readers.dispatch(this::entryFor, counters().delivered::increment);
    }

    /** The entry a consumer receives: the message with its offset in the {@code x-stream-offset} header. */
    private StreamEntry entryFor(StreamRecord record) {
        Message stored = record.message();
        PropertiesCodec codec = vhost.propertiesCodec();
        Map<String, Object> headers = new LinkedHashMap<>(codec.headers(stored.properties()));
        headers.put(OFFSET_HEADER, record.offset());
        return new StreamEntry(this, record.offset(),
                stored.withProperties(codec.withHeaders(stored.properties(), headers, false)));
    }

    @Override
    public boolean congested() {
        return false;
    }

    @Override
    public void whenUncongested(Runnable listener) {
        listener.run();
    }

    // ---------------------------------------------------------------- info

    /** 0, as RabbitMQ's queue.declare-ok and queue.delete-ok report for a stream; see {@link #details()}. */
    @Override
    public int messageCount() {
        return 0;
    }

    @Override
    public int unackedCount() {
        return 0;
    }

    @Override
    public int consumerCount() {
        return readers.count();
    }

    @Override
    public boolean isDeleted() {
        return deleted;
    }

    /** For the management API: messages stored, bytes on disk, first and last offset. */
    @Override
    public Map<String, Object> details() {
        long first = log.firstOffset();
        long end = log.committedEnd();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("messages", end - first);
        details.put("messages_ready", end - first);
        details.put("message_bytes", log.sizeOnDisk());
        details.put("first_offset", first);
        details.put("last_offset", end > first ? end - 1 : null);
        details.put("segments", log.segmentLog().segmentCount());
        return details;
    }

    // ---------------------------------------------------------------- life cycle

    @Override
    public void touch() {
    }

    @Override
    public void applyPolicies(QueuePolicies applicable) {
        usePolicies(applicable); // shown by the management API; streams act on no policy yet
    }

    @Override
    public List<QueueConsumer> delete() {
        deleted = true;
        if (retentionTimer != null) {
            retentionTimer.cancel(false);
        }
        List<QueueConsumer> cancelled = readers.removeAll();
        try {
            persistence.deleteStreamLog(log.segmentLog());
        } catch (IOException e) {
            LOG.warn("Could not delete the files of {}", this, e);
        }
        return cancelled;
    }

    /** The log was recovered when the stream was declared again at start-up: returns how many messages it holds. */
    @Override
    public long recover(LongPredicate inStore) {
        return log.committedEnd() - log.firstOffset();
    }
}
