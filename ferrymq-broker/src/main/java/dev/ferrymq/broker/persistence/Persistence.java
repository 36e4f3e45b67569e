package dev.ferrymq.broker.persistence;

import dev.ferrymq.broker.Message;
import dev.ferrymq.store.RecordFile;
import dev.ferrymq.store.SegmentLog;
import dev.ferrymq.store.StoreConfig;
import dev.ferrymq.store.Syncer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The broker's use of the store: persistent message bodies in a shared {@link SegmentLog} (stored once however
 * many durable queues hold them, reference counted per segment), one {@link QueueIndex} per durable queue, and the
 * definitions log of durable exchanges, queues and bindings. Everything shares one {@link Syncer}, so a single
 * fsync round makes a publish durable in the message log and in every queue index it touched.
 *
 * <pre>
 * data/
 *   messages/0000000001.seg …   message records (MessageCodec), 64 MiB segments
 *   queues/&lt;sha-256 of vhost and name&gt;.idx   per-queue index (QueueIndex)
 *   streams/&lt;sha-256 of vhost and name&gt;/0000000001.seg …   one segment log per stream (docs/streams.md)
 *   definitions.log              topology (Definition records)
 * </pre>
 * Thread-safe.
 */
public final class Persistence implements AutoCloseable {
    private final Path dataDir;
    private final StoreConfig config;
    private final Syncer syncer;
    private final SegmentLog messages;
    private final RecordFile definitions;
    private final PagedMessages paging;
    /** The streams' segment logs, closed with the store. */
    private final Set<SegmentLog> streams = ConcurrentHashMap.newKeySet();
    private volatile boolean recording = true;

    private Persistence(Path dataDir, StoreConfig config, Syncer syncer, SegmentLog messages, RecordFile definitions,
                        PagedMessages paging) {
        this.dataDir = dataDir;
        this.config = config;
        this.syncer = syncer;
        this.messages = messages;
        this.definitions = definitions;
        this.paging = paging;
    }

    /** The default heap budget for ready message bodies: a quarter of the maximum heap. */
    public static long defaultPagingBudget() {
        return Runtime.getRuntime().maxMemory() / 4;
    }

    public static Persistence open(Path dataDir, StoreConfig config) throws IOException {
        return open(dataDir, config, defaultPagingBudget());
    }

    /**
     * @param pagingBudget bytes of ready message bodies all queues together keep on the heap before they page
     *                     new messages out to disk
     */
    public static Persistence open(Path dataDir, StoreConfig config, long pagingBudget) throws IOException {
        Files.createDirectories(dataDir.resolve("queues"));
        Syncer syncer = new Syncer(config);
        SegmentLog messages = null;
        RecordFile definitions = null;
        try {
            messages = SegmentLog.open(dataDir.resolve("messages"), config, syncer);
            definitions = RecordFile.open(dataDir.resolve("definitions.log"), syncer);
            PagedMessages paging = PagedMessages.open(dataDir.resolve("paging"), config.segmentSize(),
                    pagingBudget);
            return new Persistence(dataDir, config, syncer, messages, definitions, paging);
        } catch (IOException | RuntimeException e) {
            syncer.close();
            if (messages != null) {
                messages.close();
            }
            if (definitions != null) {
                definitions.close();
            }
            throw e;
        }
    }

    /** The scratch store for messages paged out of memory. */
    public PagedMessages paging() {
        return paging;
    }

    public Syncer syncer() {
        return syncer;
    }

    /** Stores a message once, with one reference per durable queue that will hold it. */
    public long storeMessage(Message message, int references) {
        try {
            return messages.append(MessageCodec.encode(message), references);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Message loadMessage(long position) {
        try {
            return MessageCodec.decode(messages.read(position));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the message store has a record at {@code position} (see {@link SegmentLog#contains}). */
    public boolean contains(long position) {
        return messages.contains(position);
    }

    public void retain(long position) {
        messages.retain(position);
    }

    public void release(long position) {
        messages.release(position);
    }

    public QueueIndex openQueueIndex(String vhost, String queue) throws IOException {
        return QueueIndex.open(dataDir.resolve("queues").resolve(fileName(vhost, queue)), syncer);
    }

    /**
     * Opens (recovering) the segment log of a stream, with segments of {@code segmentSize} bytes and the shared
     * group commit, so one fsync makes a publish durable in it too. Closed with the store.
     */
    public SegmentLog openStreamLog(String vhost, String stream, long segmentSize) throws IOException {
        SegmentLog log = SegmentLog.open(streamDirectory(vhost, stream), config.withSegmentSize(segmentSize), syncer);
        streams.add(log);
        return log;
    }

    /** Closes a stream's log and deletes its directory (the stream was deleted). */
    public void deleteStreamLog(SegmentLog log) throws IOException {
        streams.remove(log);
        log.close();
        try (Stream<Path> files = Files.list(log.directory())) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(file);
            }
        }
        Files.deleteIfExists(log.directory());
    }

    private Path streamDirectory(String vhost, String stream) {
        String file = fileName(vhost, stream);
        return dataDir.resolve("streams").resolve(file.substring(0, file.length() - ".idx".length()));
    }

    /**
     * Opens (recovering) a record file that belongs to one exchange, under {@code data/<area>/} (e.g. a
     * deduplication exchange's cache journal), on the shared group commit. Delete it with
     * {@link RecordFile#delete()} when the exchange goes.
     */
    public RecordFile openExchangeFile(String area, String vhost, String exchange) throws IOException {
        Path dir = dataDir.resolve(area);
        Files.createDirectories(dir);
        String file = fileName(vhost, exchange);
        return RecordFile.open(dir.resolve(file.substring(0, file.length() - ".idx".length()) + ".log"), syncer);
    }

    /** Appends a topology change, unless definitions are being replayed. */
    public void record(Definition definition) {
        if (!recording) {
            return;
        }
        try {
            definitions.append(Definition.encode(definition));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<Definition> readDefinitions() throws IOException {
        List<Definition> all = new ArrayList<>();
        for (byte[] record : definitions.readAll()) {
            all.add(Definition.decode(record));
        }
        return all;
    }

    /** Replaces the definitions log with the given (compacted) state. */
    public void rewriteDefinitions(List<Definition> state) throws IOException {
        List<byte[]> records = new ArrayList<>(state.size());
        for (Definition definition : state) {
            records.add(Definition.encode(definition));
        }
        definitions.rewrite(records);
    }

    public void pauseRecording() {
        recording = false;
    }

    public void resumeRecording() {
        recording = true;
    }

    /** Every live message reference has been retained: unreferenced segments may now be deleted. */
    public void recoveryComplete() {
        messages.recoveryComplete();
    }

    @Override
    public void close() throws IOException {
        syncer.close();
        for (SegmentLog stream : streams) {
            stream.close();
        }
        messages.close();
        definitions.close();
        paging.close();
    }

    private static String fileName(String vhost, String queue) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(vhost.getBytes(StandardCharsets.UTF_8));
            sha256.update((byte) 0);
            sha256.update(queue.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha256.digest(), 0, 16) + ".idx";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
