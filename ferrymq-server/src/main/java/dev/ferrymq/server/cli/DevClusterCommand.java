package dev.ferrymq.server.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * {@code ferrymq dev-cluster [N]}: N nodes on this machine as one cluster, for development. Each is a {@code
 * ferrymq server} in a JVM of its own (same class path and JVM options as this one), on loopback, node {@code ni}
 * on ports base+i-1 (AMQP 5801.., management 15801.., cluster 7801..), data in {@code DIR/ni}, output in {@code
 * DIR/ni.log}. Ctrl-C (or SIGTERM) stops them all; a restart on the same DIR brings the same cluster back.
 */
@Command(name = "dev-cluster", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Start N local nodes (default 3) as one cluster, for development; Ctrl-C stops them all.")
final class DevClusterCommand implements Callable<Integer> {
    private static final long STOP_TIMEOUT_SECONDS = 15;

    @Parameters(paramLabel = "N", defaultValue = "3", description = "Number of nodes (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "dev-cluster",
            description = "Where the nodes keep their data and logs (default ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--amqp-port-base", paramLabel = "N", defaultValue = "5801",
            description = "AMQP port of n1; ni has base+i-1 (default ${DEFAULT-VALUE}).")
    int amqpPortBase;

    @Option(names = "--management-port-base", paramLabel = "N", defaultValue = "15801",
            description = "Management port of n1 (default ${DEFAULT-VALUE}).")
    int managementPortBase;

    @Option(names = "--cluster-port-base", paramLabel = "N", defaultValue = "7801",
            description = "Cluster (Raft) port of n1 (default ${DEFAULT-VALUE}).")
    int clusterPortBase;

    @Override
    public Integer call() throws Exception {
        if (nodes < 1) {
            System.err.println("ferrymq: dev-cluster needs at least one node");
            return ServerCommand.BAD_SETTING;
        }
        Files.createDirectories(dir);
        String seeds = IntStream.rangeClosed(1, nodes)
                .mapToObj(i -> "n" + i + "@127.0.0.1:" + (clusterPortBase + i - 1))
                .collect(Collectors.joining(","));
        List<Process> processes = new ArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAll(processes), "ferrymq-dev-cluster-stop"));
        for (int i = 1; i <= nodes; i++) {
            Path log = dir.resolve("n" + i + ".log").toAbsolutePath();
            processes.add(new ProcessBuilder(command(i, seeds)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start());
            System.out.printf("n%d: amqp://guest:guest@localhost:%d  http://localhost:%d  cluster 127.0.0.1:%d  "
                    + "log %s%n", i, amqpPortBase + i - 1, managementPortBase + i - 1, clusterPortBase + i - 1, log);
        }
        System.out.printf("%d nodes starting; `./ferrymq cluster status --management-url http://localhost:%d` "
                + "shows them. Ctrl-C stops them all.%n", nodes, managementPortBase);
        for (int i = 0; i < processes.size(); i++) {
            int exit = processes.get(i).waitFor();
            System.out.printf("n%d exited (%d)%n", i + 1, exit);
        }
        return 0;
    }

    private List<String> command(int i, String seeds) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "server",
                "--node-name", "n" + i, "--bind", "127.0.0.1",
                "--amqp-port", String.valueOf(amqpPortBase + i - 1),
                "--management-port", String.valueOf(managementPortBase + i - 1),
                "--cluster-port", String.valueOf(clusterPortBase + i - 1),
                "--cluster-seeds", seeds,
                "--data-dir", dir.resolve("n" + i).toAbsolutePath().toString()));
        return command;
    }

    /** SIGTERM to every node (each closes its clients and store), then waits; SIGKILL for any that hangs. */
    private static void stopAll(List<Process> processes) {
        processes.forEach(Process::destroy);
        for (Process process : processes) {
            try {
                if (!process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
