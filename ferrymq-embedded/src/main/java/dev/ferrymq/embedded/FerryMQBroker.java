package dev.ferrymq.embedded;

import dev.ferrymq.server.FerryServer;
import dev.ferrymq.server.config.ServerConfig;
import dev.ferrymq.server.config.Setting;
import dev.ferrymq.server.config.Settings;
import dev.ferrymq.store.FsyncPolicy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A FerryMQ broker running inside this JVM, for tests and local development: RabbitMQ's Java client, Spring AMQP
 * and every other AMQP 0-9-1 client talk to it at {@link #amqpUri()} as they would to RabbitMQ.
 *
 * <pre>{@code
 * try (FerryMQBroker broker = FerryMQBroker.builder().amqpPort(0).inMemory().start()) {
 *     ConnectionFactory factory = new ConnectionFactory();
 *     factory.setUri(broker.amqpUri());
 *     ...
 * }
 * }</pre>
 *
 * <p>Besides the broker's lifecycle ({@link #restart()}, {@link #close()}) it offers what tests otherwise
 * hand-roll: {@link #resetAll()}, {@link #queue(String)} counts, {@link #awaitMessages} and {@link #publishedTo}.
 * An instance made by {@link #external(String)} points the same helpers at a broker running elsewhere (a real
 * RabbitMQ), where the methods that need the broker in this JVM throw UnsupportedOperationException.
 * Thread-safe.
 */
public final class FerryMQBroker implements AutoCloseable {
    /** The user every broker starts with (RabbitMQ's default). */
    public static final String USER = "guest";
    public static final String PASSWORD = "guest";

    private final DataDirectory dataDirectory; // null for an external broker
    private volatile AmqpAddress endpoint;
    private ServerConfig config;               // the ports fixed after the first start
    private FerryServer server;                // null for an external broker and once closed
    private volatile String amqpUri;
    private volatile BrokerClient client;

    private FerryMQBroker(ServerConfig config, DataDirectory dataDirectory) {
        this.config = config;
        this.dataDirectory = dataDirectory;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A handle on a broker that runs elsewhere, e.g. {@code amqp://guest:guest@127.0.0.1:5672}: {@link #queue},
     * {@link #awaitMessages} and {@link #publishedTo} work, {@link #restart()}, {@link #resetAll()} and
     * {@link #purgeAll()} throw UnsupportedOperationException, and {@link #close()} leaves that broker running.
     */
    public static FerryMQBroker external(String amqpUri) {
        FerryMQBroker broker = new FerryMQBroker(null, null);
        broker.useUri(amqpUri);
        return broker;
    }

    private void useUri(String uri) {
        endpoint = AmqpAddress.parse(uri);
        amqpUri = uri;
        client = new BrokerClient(uri);
    }

    private synchronized void startServer() throws IOException {
        try {
            server = FerryServer.start(config);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting", e);
        }
        // A restart binds the ports the first start picked, so clients holding the URI find it again.
        config = config.with(Settings.AMQP_PORT, server.amqpPort())
                .with(Settings.MANAGEMENT_PORT, server.managementPort());
        String host = config.bind().equals("0.0.0.0") ? "127.0.0.1" : config.bind();
        useUri("amqp://" + USER + ":" + PASSWORD + "@" + host + ":" + server.amqpPort());
    }

    /**
     * {@code amqp://guest:guest@127.0.0.1:<port>}: the default virtual host "/" (no trailing "/", which would mean
     * the vhost "").
     */
    public String amqpUri() {
        return amqpUri;
    }

    public String host() {
        return endpoint.host();
    }

    /** The AMQP port (the free port picked for {@code amqpPort(0)}). */
    public int port() {
        return endpoint.port();
    }

    public String username() {
        return endpoint.username();
    }

    public String password() {
        return endpoint.password();
    }

    public String virtualHost() {
        return endpoint.virtualHost();
    }

    /** The management API and web UI port, or -1 when it was not asked for ({@link Builder#managementPort}). */
    public synchronized int managementPort() {
        return embedded().managementPort();
    }

    /** Where the store is (null for an external broker). */
    Path dataDir() {
        return dataDirectory == null ? null : dataDirectory.path();
    }

    /** Whether the broker runs in this JVM (false for {@link #external}). */
    public boolean isEmbedded() {
        return dataDirectory != null;
    }

    /**
     * Stops the broker as a shutdown would (clients get connection.close 320) and starts it again on the same
     * ports and data: durable queues, exchanges, bindings and persistent messages come back, the rest does not.
     */
    public synchronized void restart() throws IOException {
        embedded().close();
        server = null; // closed, should the new start fail
        client.close();
        startServer();
    }

    /**
     * Deletes every queue, exchange (but the built-in ones) and binding, and every policy, in every virtual host,
     * then applies the {@link Builder#definitions definitions} again: the topology of a fresh start, without a
     * restart. Connections stay open; consumers of deleted queues get basic.cancel; {@link MessageTap}s end.
     */
    public synchronized void resetAll() {
        TopologyReset.deleteAll(embedded().broker(), config.loadDefinitions());
    }

    /** Drops the ready messages of every queue; queues, bindings and consumers stay. */
    public synchronized void purgeAll() {
        TopologyReset.purgeAll(embedded().broker());
    }

    /** A queue of the default virtual host, for its live message and consumer counts. */
    public QueueView queue(String name) {
        return new QueueView(client, name);
    }

    /**
     * Waits until {@code count} messages can be taken from the queue and returns them, with their routing and
     * properties. They are taken off the queue (basic.get with auto-ack). AssertionError after {@code timeout}.
     */
    public List<ReceivedMessage> awaitMessages(String queue, int count, Duration timeout) {
        return client.take(queue, count, timeout);
    }

    /**
     * Starts recording the messages published to {@code exchange} from now on that its type routes for
     * {@code routingKey} (a binding key: a pattern for a topic exchange). See {@link MessageTap}.
     */
    public MessageTap publishedTo(String exchange, String routingKey) {
        return MessageTap.open(client, exchange, routingKey);
    }

    /** Stops the broker (clients get connection.close 320) and, for {@code inMemory()}, deletes its data. */
    @Override
    public synchronized void close() {
        if (client != null) {
            client.close();
        }
        if (server == null) {
            return;
        }
        server.close();
        server = null;
        try {
            dataDirectory.release();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private FerryServer embedded() {
        if (dataDirectory == null) {
            throw new UnsupportedOperationException("this needs the broker in this JVM; " + amqpUri
                    + " is an external broker");
        }
        if (server == null) {
            throw new IllegalStateException("the broker is closed");
        }
        return server;
    }

    @Override
    public String toString() {
        return (isEmbedded() ? "embedded FerryMQ at " : "external broker at ") + host() + ":" + port();
    }

    /**
     * How to start a broker. Defaults: AMQP on 127.0.0.1 and a free port, in memory, no management listener, the
     * memory and disk alarms off (the broker shares the heap and the disk with the tests that run it; a test of the
     * alarms turns them on with {@link #setting}).
     */
    public static final class Builder {
        private int amqpPort = 0;
        private int managementPort = ServerConfig.DISABLED;
        private Path dataDir;
        private Path definitions;
        private final Map<String, String> settings = new LinkedHashMap<>();

        private Builder() {
        }

        /** The AMQP port; 0 (the default) picks a free one, which {@link FerryMQBroker#port()} then tells. */
        public Builder amqpPort(int port) {
            this.amqpPort = port;
            return this;
        }

        /**
         * Keeps the store off disk (the default): on tmpfs where there is one ({@code /dev/shm}), else in a
         * temporary directory; deleted by {@link FerryMQBroker#close()}, kept across {@link #restart()}.
         */
        public Builder inMemory() {
            this.dataDir = null;
            return this;
        }

        /** Keeps the store in {@code dir} (created if missing, never deleted), for durability tests. */
        public Builder dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        /** Starts the management API and web UI on this port too (0 = a free one). */
        public Builder managementPort(int port) {
            this.managementPort = port;
            return this;
        }

        /**
         * A RabbitMQ definitions file (as {@code rabbitmqctl export_definitions} or {@code GET /api/definitions}
         * writes it), applied at start and again by {@link FerryMQBroker#resetAll()}.
         */
        public Builder definitions(Path file) {
            this.definitions = file;
            return this;
        }

        /**
         * Any server setting by its {@code ferrymq.conf} key, as text (see docs/config.md), e.g.
         * {@code setting("max-queues-per-vhost", "10")}; IllegalArgumentException for an unknown key or bad value.
         */
        public Builder setting(String key, String value) {
            Setting<?> setting = Settings.byKey(key);
            if (setting == null) {
                throw new IllegalArgumentException("no setting '" + key + "' (docs/config.md lists them)");
            }
            setting.parse(value); // fail here, not at start
            settings.put(key, value);
            return this;
        }

        /** Starts the broker; it is accepting connections when this returns. */
        public FerryMQBroker start() throws IOException {
            DataDirectory directory = dataDir == null ? DataDirectory.inMemory() : DataDirectory.at(dataDir);
            FerryMQBroker broker = new FerryMQBroker(config(directory), directory);
            try {
                broker.startServer();
            } catch (IOException | RuntimeException | Error e) {
                directory.release();
                throw e;
            }
            return broker;
        }

        private ServerConfig config(DataDirectory directory) {
            ServerConfig config = ServerConfig.defaults()
                    .with(Settings.BIND, "127.0.0.1")
                    .with(Settings.AMQP_PORT, amqpPort)
                    .with(Settings.MANAGEMENT_PORT, managementPort)
                    .with(Settings.DATA_DIR, directory.path())
                    .with(Settings.LOAD_DEFINITIONS, definitions)
                    .with(Settings.MEMORY_HIGH_WATERMARK, 0.0)
                    .with(Settings.DISK_FREE_LIMIT, 0L);
            if (directory.owned()) { // fsync buys nothing in memory
                config = config.with(Settings.FSYNC, FsyncPolicy.PERIODIC);
            }
            for (Map.Entry<String, String> setting : settings.entrySet()) {
                config = withParsed(config, Settings.byKey(setting.getKey()), setting.getValue());
            }
            return config;
        }

        private static <T> ServerConfig withParsed(ServerConfig config, Setting<T> setting, String value) {
            return config.with(setting, setting.parse(value));
        }
    }
}
