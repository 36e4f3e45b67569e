package dev.ferrymq.broker.queue.stream;

import dev.ferrymq.broker.queue.QueueConsumer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumers of one stream, each with its own {@link StreamCursor}, and the dispatch loop that hands each one
 * records until its prefetch window is full or it has read everything committed. Consumers never compete: each
 * reads every message. Thread-safe: one thread dispatches at a time; a dispatch asked for meanwhile is run again
 * by that thread, so no new record or returned credit is missed.
 */
final class StreamReaders {
    private static final Logger LOG = LoggerFactory.getLogger(StreamReaders.class);

    private record Reader(QueueConsumer consumer, StreamCursor cursor) {
    }

    private final List<Reader> readers = new CopyOnWriteArrayList<>();
    private final ReentrantLock dispatching = new ReentrantLock();
    private final AtomicBoolean again = new AtomicBoolean();

    void add(QueueConsumer consumer, StreamCursor cursor) {
        readers.add(new Reader(consumer, cursor));
    }

    void remove(QueueConsumer consumer) {
        readers.removeIf(r -> r.consumer() == consumer);
    }

    List<QueueConsumer> removeAll() {
        List<QueueConsumer> all = new ArrayList<>();
        for (Reader r : readers) {
            all.add(r.consumer());
        }
        readers.clear();
        return all;
    }

    int count() {
        return readers.size();
    }

    /** Hands records to consumers; {@code entries} makes the entry a consumer receives from a record. */
    void dispatch(Function<StreamRecord, StreamEntry> entries, Runnable delivered) {
        again.set(true);
        while (again.get() && dispatching.tryLock()) {
            try {
                again.set(false);
                for (Reader reader : readers) {
                    feed(reader, entries, delivered);
                }
            } finally {
                dispatching.unlock();
            }
        }
    }

    private static void feed(Reader reader, Function<StreamRecord, StreamEntry> entries, Runnable delivered) {
        try {
            StreamRecord record;
            while ((record = reader.cursor().peek()) != null) {
                if (!reader.consumer().tryDeliver(entries.apply(record))) {
                    return;
                }
                reader.cursor().advance();
                delivered.run();
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("Cannot read stream record {} for consumer {}", reader.cursor().nextOffset(),
                    reader.consumer().tag(), e);
        }
    }
}
