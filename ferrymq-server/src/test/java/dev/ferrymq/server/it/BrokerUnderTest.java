package dev.ferrymq.server.it;

import com.rabbitmq.client.ConnectionFactory;
import dev.ferrymq.server.FerryServer;
import dev.ferrymq.server.config.ServerConfig;
import dev.ferrymq.server.config.Settings;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.UnaryOperator;

/**
 * The broker the integration tests talk to.
 *
 * <p>By default a FerryMQ started in-process on 127.0.0.1 and a free port, with a fresh temporary data
 * directory that is deleted on {@link #close()}. With {@code -Dferrymq.it.broker=host:port} the tests use that
 * external broker instead (e.g. a real RabbitMQ, to re-validate that every expectation is RabbitMQ's behaviour).
 */
public final class BrokerUnderTest implements AutoCloseable {

    /** System property naming an external broker as {@code host:port}. */
    public static final String EXTERNAL_BROKER_PROPERTY = "ferrymq.it.broker";

    public static final String USER = "guest";
    public static final String PASSWORD = "guest";

    private final String host;
    private final int port;
    private final FerryServer server; // null for an external broker
    private final Path dataDir;       // null for an external broker

    private BrokerUnderTest(String host, int port, FerryServer server, Path dataDir) {
        this.host = host;
        this.port = port;
        this.server = server;
        this.dataDir = dataDir;
    }

    public static BrokerUnderTest start() throws Exception {
        return start(UnaryOperator.identity());
    }

    /** Starts a broker whose config is the test default changed by {@code configure} (in-process brokers only). */
    public static BrokerUnderTest start(UnaryOperator<ServerConfig> configure) throws Exception {
        String external = System.getProperty(EXTERNAL_BROKER_PROPERTY, "").trim();
        if (!external.isEmpty()) {
            int colon = external.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException(EXTERNAL_BROKER_PROPERTY + " must be host:port, got " + external);
            }
            return new BrokerUnderTest(external.substring(0, colon),
                    Integer.parseInt(external.substring(colon + 1)), null, null);
        }
        Path dir = Files.createTempDirectory("ferrymq-it-");
        try {
            FerryServer server = FerryServer.start(
                    configure.apply(ServerConfig.defaults().with(Settings.AMQP_PORT, 0)
                            .with(Settings.MANAGEMENT_PORT, 0)
                            .with(Settings.BIND, "127.0.0.1").with(Settings.DATA_DIR, dir)));
            return new BrokerUnderTest("127.0.0.1", server.amqpPort(), server, dir);
        } catch (Exception | Error e) {
            deleteRecursively(dir);
            throw e;
        }
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The in-process server, for assertions on its internals; null for an external broker. */
    public FerryServer server() {
        return server;
    }

    public boolean isExternal() {
        return server == null;
    }

    /** A client factory for this broker: guest/guest on "/", no automatic recovery, every wait bounded. */
    public ConnectionFactory connectionFactory() {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(host);
        factory.setPort(port);
        factory.setUsername(USER);
        factory.setPassword(PASSWORD);
        factory.setVirtualHost("/");
        factory.setAutomaticRecoveryEnabled(false);
        factory.setTopologyRecoveryEnabled(false);
        factory.setConnectionTimeout(5_000);
        factory.setHandshakeTimeout(5_000);
        factory.setChannelRpcTimeout(5_000);
        factory.setShutdownTimeout(2_000);
        return factory;
    }

    @Override
    public void close() throws Exception {
        if (server == null) {
            return; // external broker: nothing to stop
        }
        try {
            server.close();
        } finally {
            deleteRecursively(dataDir);
        }
    }

    @Override
    public String toString() {
        return "broker " + host + ":" + port + (isExternal() ? " (external)" : " (in-process FerryMQ)");
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
