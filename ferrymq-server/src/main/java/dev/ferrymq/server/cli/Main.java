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

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {ServerProperties.PRODUCT + " " + ServerProperties.VERSION};
        }
    }
}
