package dev.ferrymq.server.cli;

import dev.ferrymq.server.amqp.ServerProperties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Command-line entry point: {@code ferrymq server [--config FILE] [--<setting> VALUE]...} ({@link ServerCommand})
 * and the client commands.
 */
@Command(name = "ferrymq", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "FerryMQ, an AMQP 0-9-1 message broker compatible with RabbitMQ clients.",
        subcommands = {ServerCommand.class, ClientCommands.Status.class, ClientCommands.ListCommand.class,
                ClientCommands.Declare.class, ClientCommands.Delete.class, ClientCommands.Purge.class,
                PublishCommand.class, ConsumeCommand.class, ClientCommands.Export.class,
                ClientCommands.Import.class, PolicyCommands.SetPolicy.class, PolicyCommands.ClearPolicy.class,
                PolicyCommands.ListPolicies.class, ClusterCommands.class, DevClusterCommand.class})
public final class Main {

    /**
     * The command line's logback configuration, a resource of this jar. Not named logback.xml: a library user's
     * logback (or Spring Boot's) would pick that name up from the class path in place of their own.
     */
    static final String LOGBACK_CONFIGURATION = "ferrymq-logback.xml";

    public static void main(String[] args) {
        if (System.getProperty("logback.configurationFile") == null) { // before anything logs
            System.setProperty("logback.configurationFile", LOGBACK_CONFIGURATION);
        }
        System.exit(new CommandLine(new Main()).execute(args));
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {ServerProperties.PRODUCT + " " + ServerProperties.VERSION};
        }
    }
}
