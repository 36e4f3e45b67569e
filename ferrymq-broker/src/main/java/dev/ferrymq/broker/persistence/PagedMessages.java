package dev.ferrymq.broker.persistence;

import dev.ferrymq.broker.Message;
import dev.ferrymq.store.FsyncPolicy;
import dev.ferrymq.store.SegmentLog;
import dev.ferrymq.store.StoreConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where ready messages live when the heap cannot hold them: transient messages (and persistent ones in queues
 * that keep nothing on disk) are paged out to a scratch {@link SegmentLog} under memory pressure, as RabbitMQ's
 * classic queues do. The page file is not durable: it is never fsynced on the publish path and is wiped at start
 * and at close, because nothing in it may survive a restart.
 *
 * <p>Also keeps the broker-wide count of ready message bytes held on the heap, so that queues page out once the
 * total passes {@code heapBudget}, not only when one queue is deep. Thread-safe.
 */
public final class PagedMessages implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PagedMessages.class);

    private final Path dir;
    private final SegmentLog log;
    private final long heapBudget;
    private final AtomicLong bytesOnHeap = new AtomicLong();
    private volatile boolean warned;

    private PagedMessages(Path dir, SegmentLog log, long heapBudget) {
        this.dir = dir;
        this.log = log;
        this.heapBudget = heapBudget;
    }

    /** Opens an empty page file in {@code dir}, deleting what an earlier run left there. */
    static PagedMessages open(Path dir, long segmentSize, long heapBudget) throws IOException {
        deleteRecursively(dir);
        // Its own syncer with no waiters never fsyncs; only segment rolls and close do.
        StoreConfig config = StoreConfig.defaults().withSegmentSize(segmentSize).withFsyncPolicy(FsyncPolicy.ALWAYS);
        SegmentLog log = SegmentLog.open(dir, config);
        log.recoveryComplete();
        return new PagedMessages(dir, log, heapBudget);
    }

    /** Whether ready message bodies on the heap, across all queues, are over budget. */
    public boolean underPressure() {
        return bytesOnHeap.get() > heapBudget;
    }

    /**
     * Whether ready bodies on the heap, across all queues, are past half the budget: queues with consumers then
     * slow their publishers down sooner, so that many moderately full queues do not page out together.
     */
    public boolean nearBudget() {
        return bytesOnHeap.get() > heapBudget / 2;
    }

    /** Accounts for ready message bytes taken onto (positive) or off (negative) the heap. */
    public void heldOnHeap(long delta) {
        bytesOnHeap.addAndGet(delta);
    }

    public long bytesOnHeap() {
        return bytesOnHeap.get();
    }

    /** Writes a message to the page file with one reference; returns its position. */
    public long pageOut(Message message) {
        if (!warned) {
            warned = true;
            LOG.info("Memory pressure: paging ready messages out to {}", dir);
        }
        try {
            return log.append(MessageCodec.encode(message), 1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Message load(long position) {
        try {
            return MessageCodec.decode(log.read(position));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Drops a paged-out message; its segment goes once nothing in it is referenced. */
    public void release(long position) {
        log.release(position);
    }

    /** Bytes of page file on disk. */
    public long sizeOnDisk() {
        return log.sizeOnDisk();
    }

    @Override
    public void close() throws IOException {
        log.close();
        deleteRecursively(dir);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
