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
 * {@code <name>.log} beside the data directory. Not thread-safe: driven by one test thread.
 */
final class NodeProcess implements AutoCloseable {
    static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    final String name;
    final int amqpPort;
    final int managementPort;
    final int clusterPort;
    private final Path dataDir;
    private final Path logFile;
    private final List<String> extraArgs;
    private Process process;

    NodeProcess(Path dir, String name, int clusterPort, List<String> extraArgs) throws IOException {
        this.name = name;
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
    String seed() {
        return name + "@127.0.0.1:" + clusterPort;
    }

    /** Starts the JVM without waiting for it; {@link #awaitServing()} waits. */
    NodeProcess start() throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Dlogback.configurationFile=" + logFile.resolveSibling("logback.xml"),
                "-cp", System.getProperty("java.class.path"), "dev.ferrymq.server.cli.Main", "server",
                "--node-name", name, "--bind", "127.0.0.1", "--amqp-port", String.valueOf(amqpPort),
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

    /** Waits until the management API answers; fails with the node's log if it exits or takes too long. */
    NodeProcess awaitServing() throws Exception {
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
    JsonNode get(String path) {
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
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/api/" + path))
                .timeout(Duration.ofSeconds(5))
                .header("authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "guest:guest".getBytes(StandardCharsets.UTF_8)));
    }

    long pid() {
        return process.pid();
    }

    boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** SIGKILL, and waits until the process is gone. */
    void kill9() throws InterruptedException {
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

    String log() {
        try {
            return Files.readString(logFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (isRunning()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                kill9();
            }
        }
    }
}
