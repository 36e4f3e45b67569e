package dev.ferrymq.server;

import dev.ferrymq.store.FsyncPolicy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** Command-line entry point: {@code ferrymq server [--amqp-port N] [--bind ADDR] [--data-dir DIR] [--config FILE]}. */
@Command(name = "ferrymq", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "FerryMQ, an AMQP 0-9-1 message broker compatible with RabbitMQ clients.",
        subcommands = {Main.Server.class, ClientCommands.Status.class, ClientCommands.ListCommand.class,
                ClientCommands.Declare.class, ClientCommands.Delete.class, ClientCommands.Purge.class,
                ClientCommands.Publish.class, ClientCommands.Consume.class, ClientCommands.Export.class,
                ClientCommands.Import.class, PolicyCommands.SetPolicy.class, PolicyCommands.ClearPolicy.class,
                PolicyCommands.ListPolicies.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    /** Starts the broker in the foreground until Ctrl-C or SIGTERM. */
    @Command(name = "server", mixinStandardHelpOptions = true, description = "Run the broker in the foreground.")
    static final class Server implements Callable<Integer> {
        @Option(names = "--config", paramLabel = "FILE",
                description = "Config file of 'key = value' lines: amqp-port, bind, data-dir, fsync, frame-max, "
                        + "channel-max, heartbeat, max-message-size, handshake-timeout, management-port, line-port, "
                        + "line-exchange, line-routing-key, line-ack, group-commit-delay-us, consumer-timeout and the "
                        + "keys of the limit, alarm and TLS flags below (without --). Command-line flags win.")
        Path configFile;

        @Option(names = "--amqp-port", paramLabel = "N", description = "AMQP port (default 5672).")
        Integer amqpPort;

        @Option(names = "--bind", paramLabel = "ADDR", description = "Address to listen on (default 0.0.0.0).")
        String bind;

        @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory (default ./data).")
        Path dataDir;

        @Option(names = "--management-port", paramLabel = "N", description = "Management HTTP API, web UI and "
                + "/metrics port (default 15672; 0 = any free port; -1 = off).")
        Integer managementPort;

        @Option(names = "--line-port", paramLabel = "N", description = "Plain TCP line listener: each line a client "
                + "sends becomes a message (default off; e.g. 12345).")
        Integer linePort;

        @Option(names = "--line-exchange", paramLabel = "NAME", description = "Exchange line messages are published "
                + "to (default: the default exchange).")
        String lineExchange;

        @Option(names = "--line-routing-key", paramLabel = "KEY", description = "Routing key of line messages "
                + "(default inbox; with the default exchange a durable queue of that name is declared).")
        String lineRoutingKey;

        @Option(names = "--line-ack", description = "Answer each line with 'OK <n>' once it is stored durably, "
                + "or 'ERR <reason>'.")
        Boolean lineAck;

        @Option(names = "--fsync", paramLabel = "POLICY", description = "always (default: a publisher confirm "
                + "means fsynced, many publishes share one fsync) or periodic (fsync every second; confirms "
                + "mean written to the OS).")
        String fsync;

        @CommandLine.Mixin
        SecurityOptions security = new SecurityOptions();

        @Override
        public Integer call() throws Exception {
            ServerConfig config = configFile == null ? ServerConfig.defaults() : ConfigFile.load(configFile);
            config = security.applyTo(config);
            if (amqpPort != null) {
                config = config.withAmqpPort(amqpPort);
            }
            if (bind != null) {
                config = config.withBind(bind);
            }
            if (dataDir != null) {
                config = config.withDataDir(dataDir);
            }
            if (fsync != null) {
                config = config.withFsync(ConfigFile.fsyncPolicy(fsync));
            }
            if (managementPort != null) {
                config = config.withManagementPort(managementPort);
            }
            if (linePort != null) {
                config = config.withLinePort(linePort);
            }
            if (lineExchange != null) {
                config = config.withLineExchange(lineExchange);
            }
            if (lineRoutingKey != null) {
                config = config.withLineRoutingKey(lineRoutingKey);
            }
            if (lineAck != null) {
                config = config.withLineAck(lineAck);
            }
            FerryServer server = FerryServer.start(config);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stopped.countDown();
            }, "ferrymq-shutdown"));
            stopped.await();
            return 0;
        }
    }

    /** Reads a config file of {@code key = value} lines (java.util.Properties syntax). */
    static final class ConfigFile {
        private ConfigFile() {
        }

        static ServerConfig load(Path file) throws IOException {
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(file)) {
                properties.load(reader);
            }
            ServerConfig config = ServerConfig.defaults();
            SecurityOptions security = new SecurityOptions();
            for (String key : properties.stringPropertyNames()) {
                String value = properties.getProperty(key).trim();
                config = switch (key) {
                    case "amqp-port" -> config.withAmqpPort(Integer.parseInt(value));
                    case "bind" -> config.withBind(value);
                    case "data-dir" -> config.withDataDir(Path.of(value));
                    case "frame-max" -> config.withFrameMax(Integer.parseInt(value));
                    case "channel-max" -> config.withChannelMax(Integer.parseInt(value));
                    case "heartbeat" -> config.withHeartbeatSeconds(Integer.parseInt(value));
                    case "max-message-size" -> config.withMaxMessageSize(Long.parseLong(value));
                    case "fsync" -> config.withFsync(fsyncPolicy(value));
                    case "group-commit-delay-us" -> config.withGroupCommitDelayMicros(Long.parseLong(value));
                    case "consumer-timeout" -> config.withConsumerTimeoutMillis(Long.parseLong(value));
                    case "management-port" -> config.withManagementPort(Integer.parseInt(value));
                    case "line-port" -> config.withLinePort(Integer.parseInt(value));
                    case "line-exchange" -> config.withLineExchange(value);
                    case "line-routing-key" -> config.withLineRoutingKey(value);
                    case "line-ack" -> config.withLineAck(Boolean.parseBoolean(value));
                    default -> {
                        ServerConfig changed = security.applyKey(config, key, value);
                        if (changed == null) {
                            throw new IllegalArgumentException("unknown setting '" + key + "' in " + file);
                        }
                        yield changed;
                    }
                };
            }
            return security.applyTo(config);
        }

        static FsyncPolicy fsyncPolicy(String value) {
            try {
                return FsyncPolicy.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("fsync must be 'always' or 'periodic', not '" + value + "'");
            }
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {ServerProperties.PRODUCT + " " + ServerProperties.VERSION};
        }
    }
}
