package dev.ferrymq.mqtt;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Retained messages: the last message published with the retain flag to each topic of each vhost, sent to every
 * new subscription whose filter matches it. They are durable: each is a file of its own under
 * {@code <data-dir>/mqtt/retained}, named by the SHA-256 of vhost and topic, written to a temporary file, fsynced
 * and renamed over the old one (so a crash leaves the old or the new message, never a torn one), and read back at
 * start. An empty retained message deletes the topic's (MQTT 3.1.1 §3.3.1.3).
 * <pre>
 *   +-----------+-----------+-------+-----------+-------+-----+-----------+---------+
 *   | magic (4) | vhost len | vhost | topic len | topic | qos | body len  | body    |
 *   |           | (4)       | UTF-8 | (4)       | UTF-8 | (1) | (4)       |         |
 *   +-----------+-----------+-------+-----------+-------+-----+-----------+---------+
 * </pre>
 * Thread-safe: lookups read a concurrent map; writes go to disk in order on one background thread, and the future
 * {@link #put} returns completes once the file is durable (a PUBACK waits for it).
 */
final class RetainedStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RetainedStore.class);
    private static final int MAGIC = 0x4D515252; // "MQRR"

    /** A retained message. */
    record Retained(String topic, int qos, byte[] body) {
    }

    private final Path dir;
    private final Map<String, Map<String, Retained>> byVhost = new ConcurrentHashMap<>();
    private final ExecutorService writer = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "mqtt-retained-writer");
        thread.setDaemon(true);
        return thread;
    });

    private RetainedStore(Path dir) {
        this.dir = dir;
    }

    /** Opens the store in {@code dir} (created if missing) and loads every retained message. */
    static RetainedStore open(Path dir) throws IOException {
        Files.createDirectories(dir);
        RetainedStore store = new RetainedStore(dir);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.ret")) {
            for (Path file : files) {
                store.load(file);
            }
        }
        return store;
    }

    private void load(Path file) {
        try (InputStream in = Files.newInputStream(file); DataInputStream data = new DataInputStream(in)) {
            if (data.readInt() != MAGIC) {
                throw new IOException("not a retained message");
            }
            String vhost = readString(data);
            String topic = readString(data);
            int qos = data.readUnsignedByte();
            byte[] body = data.readNBytes(data.readInt());
            vhostMap(vhost).put(topic, new Retained(topic, qos, body));
        } catch (IOException | RuntimeException e) {
            log.warn("ignoring unreadable retained message {}: {}", file, e.toString());
        }
    }

    /**
     * Retains {@code body} as the message of {@code topic} (an empty body deletes it). The future completes when
     * the change is on disk, exceptionally if writing it failed.
     */
    CompletableFuture<Void> put(String vhost, String topic, int qos, byte[] body) {
        if (body.length == 0) {
            vhostMap(vhost).remove(topic);
        } else {
            vhostMap(vhost).put(topic, new Retained(topic, qos, body));
        }
        return CompletableFuture.runAsync(() -> write(vhost, topic, qos, body), writer);
    }

    /** The retained messages whose topic matches {@code filter}. */
    List<Retained> matching(String vhost, String filter) {
        List<Retained> found = new ArrayList<>();
        for (Retained retained : vhostMap(vhost).values()) {
            if (TopicFilter.matches(filter, retained.topic())) {
                found.add(retained);
            }
        }
        return found;
    }

    private Map<String, Retained> vhostMap(String vhost) {
        return byVhost.computeIfAbsent(vhost, v -> new ConcurrentHashMap<>());
    }

    private void write(String vhost, String topic, int qos, byte[] body) {
        Path file = dir.resolve(fileName(vhost, topic));
        try {
            if (body.length == 0) {
                Files.deleteIfExists(file);
                return;
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(body.length + 64);
            DataOutputStream data = new DataOutputStream(bytes);
            data.writeInt(MAGIC);
            writeString(data, vhost);
            writeString(data, topic);
            data.writeByte(qos);
            data.writeInt(body.length);
            data.write(body);
            Path temporary = dir.resolve(file.getFileName() + ".tmp");
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                channel.write(ByteBuffer.wrap(bytes.toByteArray()));
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("writing retained message for topic '" + topic + "' failed", e);
        }
    }

    private static String fileName(String vhost, String topic) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(vhost.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(topic.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest()) + ".ret";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void writeString(DataOutputStream out, String value) throws IOException {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > 1 << 20) {
            throw new IOException("bad string length " + length);
        }
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    /** Finishes the writes already queued. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
