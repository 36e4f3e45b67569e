package dev.ferrymq.server;

import dev.ferrymq.server.amqp.ServerProperties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** Command-line entry point: {@code ferrymq server [--amqp-port N] [--bind ADDR] [--data-dir DIR] [--config FILE]}. */
@Command(name = "ferrymq", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "FerryMQ, an AMQP 0-9-1 message broker compatible with RabbitMQ clients.",
        subcommands = {Main.Server.class, ClientCommands.Status.class, ClientCommands.ListCommand.class,
                ClientCommands.Declare.class, ClientCommands.Delete.class, ClientCommands.Purge.class,
                PublishCommand.class, ConsumeCommand.class, ClientCommands.Export.class,
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
                description = "Config file of 'key = value' lines (default: $FERRYMQ_CONFIG, else ./ferrymq.conf "
                        + "if it exists); every key is also read from FERRYMQ_<KEY> environment variables "
                        + "(FERRYMQ_AMQP_PORT=5673). Flags win over the environment, which wins over the file. "
                        + "Keys: docs/config.md.")
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

        @Option(names = "--management-tls", description = "Serve the management port over HTTPS with the AMQPS "
                + "certificate (--tls-cert).")
        Boolean managementTls;

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

        @Option(names = "--log-level", paramLabel = "LEVEL", description = "TRACE, DEBUG, INFO (default), WARN "
                + "or ERROR.")
        String logLevel;

        @Option(names = "--log-format", paramLabel = "FORMAT", description = "text (default) or json (one JSON "
                + "object per line).")
        String logFormat;

        @Override
        public Integer call() throws Exception {
            ServerConfig config = security.applyTo(ConfigSources.load(configFile, System.getenv()));
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
                config = config.withFsync(ConfigSources.fsyncPolicy(fsync));
            }
            if (managementPort != null) {
                config = config.withManagementPort(managementPort);
            }
            if (managementTls != null) {
                config = config.withManagementTls(managementTls);
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
            if (logLevel != null) {
                config = config.withLogLevel(logLevel);
            }
            if (logFormat != null) {
                config = config.withLogFormat(logFormat);
            }
            // read by logback.xml; logging is first configured in FerryServer.start, after this
            System.setProperty("ferrymq.log.level", config.logLevel());
            System.setProperty("ferrymq.log.format", config.logFormat());
            FerryServer server;
            try {
                server = FerryServer.start(config);
            } catch (ListenerBindException e) { // one line that says what to change, not a stack trace
                System.err.println("ferrymq: " + e.getMessage());
                return 1;
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stopped.countDown();
            }, "ferrymq-shutdown"));
            stopped.await();
            return 0;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {ServerProperties.PRODUCT + " " + ServerProperties.VERSION};
        }
    }
}
