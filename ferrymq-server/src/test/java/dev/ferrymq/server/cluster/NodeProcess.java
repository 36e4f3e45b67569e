package dev.ferrymq.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A FerryMQ server process ({@code dev.ferrymq.server.cli.Main server}, the test class path) on loopback with
 * fixed ports, so it can be killed and started again as the same node on the same data directory. Output goes to
 * {@code <name>.log} beside the data directory. The fault harness ({@code dev.ferrymq.server.faults}) also binds it
 * to another address and starts it through a launch prefix (e.g. {@code ip netns exec NS}, which execs, so
 * {@link #pid()} stays the JVM's), and pauses it. Started, stopped and signalled by one thread; {@link #get} and
 * {@link #isRunning} may be called from others.
 */
public final class NodeProcess implements AutoCloseable {
    public static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    public final String name;
    public final String host;
    public final int amqpPort;
    public final int managementPort;
    public final int clusterPort;
    private final Path dataDir;
    private final Path logFile;
    private final List<String> extraArgs;
    private final List<String> launchPrefix;
    private volatile Process process;
    private volatile String credentials = "guest:guest";

    NodeProcess(Path dir, String name, int clusterPort, List<String> extraArgs) throws IOException {
        this(dir, name, "127.0.0.1", clusterPort, extraArgs, List.of());
    }

    /** A node bound to {@code host}, its command run after {@code launchPrefix} (empty: run directly). */
    public NodeProcess(Path dir, String name, String host, int clusterPort, List<String> extraArgs,
            List<String> launchPrefix) throws IOException {
        this.name = name;
        this.host = host;
        this.launchPrefix = List.copyOf(launchPrefix);
        this.amqpPort = freePort();
        this.managementPort = freePort();
        this.clusterPort = clusterPort;
        this.dataDir = dir.resolve(name).toAbsolutePath();
        this.logFile = dir.resolve(name + ".log").toAbsolutePath();
        this.extraArgs = List.copyOf(extraArgs);
        Files.writeString(dir.resolve("logback.xml"), """
                <configuration>
                  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{0} - %msg%n</pattern></encoder>
                  </appender>
                  <logger name="io.netty" level="WARN"/>
                  <logger name="org.apache.ratis" level="WARN"/>
                  <logger name="org.apache.ratis.util.LifeCycle" level="OFF"/>
                  <logger name="org.apache.ratis.server.leader.LogAppender" level="ERROR"/>
                  <root level="INFO"><appender-ref ref="STDOUT"/></root>
                </configuration>
                """, StandardCharsets.UTF_8);
    }

    /** The address other nodes and {@code cluster-seeds} name it by. */
    public String seed() {
        return name + "@" + host + ":" + clusterPort;
    }

    /** Starts the JVM without waiting for it; {@link #awaitServing()} waits. */
    public NodeProcess start() throws IOException {
        List<String> command = new ArrayList<>(launchPrefix);
        command.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Dlogback.configurationFile=" + logFile.resolveSibling("logback.xml"),
                "-cp", System.getProperty("java.class.path"), "dev.ferrymq.server.cli.Main", "server",
                "--node-name", name, "--bind", host, "--amqp-port", String.valueOf(amqpPort),
                "--management-port", String.valueOf(managementPort), "--cluster-port", String.valueOf(clusterPort),
                "--data-dir", dataDir.toString()));
        command.addAll(extraArgs);
        Files.writeString(logFile, "==== [test] start\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
        process.getOutputStream().close();
        return this;
    }

    /**
     * The {@code user:password} of the management API calls ({@code guest:guest} unless set): {@code guest} may only
     * come from loopback, so a harness reaching the node on another address needs a user of its own.
     */
    public void useCredentials(String userColonPassword) {
        this.credentials = userColonPassword;
    }

    /** Waits until the management API answers; fails with the node's log if it exits or takes too long. */
    public NodeProcess awaitServing() throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (get("overview") == null) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError(name + " did not start serving (alive: " + process.isAlive() + ")\n" + log());
            }
            Thread.sleep(100);
        }
        return this;
    }

    /** GET /api/{path} as JSON, or null if the node does not answer (or answers with an error). */
    public JsonNode get(String path) {
        try {
            HttpResponse<String> response = HTTP.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://" + host + ":" + managementPort + "/api/" + path))
                .timeout(Duration.ofSeconds(5))
                .header("authorization", "Basic " + Base64.getEncoder().encodeToString(
                        credentials.getBytes(StandardCharsets.UTF_8)));
    }

    public long pid() {
        return process.pid();
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** SIGKILL, and waits until the process is gone. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " survived SIGKILL");
        }
    }

    /** The output of {@code jcmd <pid> <command>} (e.g. {@code Thread.print}, {@code VM.class_hierarchy}). */
    String jcmd(String command) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(pid()), command).redirectErrorStream(true).start();
        byte[] output = jcmd.getInputStream().readAllBytes();
        if (!jcmd.waitFor(30, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
            throw new AssertionError("jcmd " + command + " failed: " + new String(output, StandardCharsets.UTF_8));
        }
        return new String(output, StandardCharsets.UTF_8);
    }

    /** SIGSTOP (a frozen process: its sockets stay open, nothing answers) or SIGCONT. */
    public void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid())).redirectErrorStream(true)
                .start();
        byte[] output = kill.getInputStream().readAllBytes();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + signal + " " + pid() + " failed: "
                    + new String(output, StandardCharsets.UTF_8));
        }
    }

    public String log() {
        try {
            return Files.readString(logFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (isRunning()) {
            try {
                signal("CONT"); // a paused JVM cannot run its shutdown hook
            } catch (IOException ignored) {
                // gone meanwhile
            }
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                kill9();
            }
        }
    }
}
