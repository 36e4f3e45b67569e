package dev.ferrymq.server.crash;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real broker ({@code dev.ferrymq.server.cli.Main server ...}) running in a separate JVM on a data directory that
 * survives it, so a test can {@link #kill9()} it (SIGKILL: no shutdown hook, no final fsync) or {@link #stop()}
 * it (SIGTERM: graceful) and {@link #restart()} it on the same directory.
 *
 * <p>The child runs with the test JVM's class path (under surefire a manifest-only jar whose Class-Path names
 * every jar and target/*classes) and {@code -Xmx256m}. Its stdout and stderr go to {@code broker.log} next to the
 * data directory; each start appends a marker line, and {@link #logSinceLastStart()} returns what the current run
 * wrote. Logging is configured by a logback file written next to it (INFO, Netty at WARN), so the broker's own
 * log levels do not depend on whatever logback-test.xml the test class path carries.
 *
 * <p>Each start picks a fresh free loopback port. Not thread-safe: driven by one test thread.
 */
public final class BrokerProcess implements AutoCloseable {

    /** Bound for a start (JVM start plus recovery plus the listener accepting an AMQP handshake). */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    /** Bound for a graceful stop or for a killed process to disappear. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

    private static final int SIGKILL_EXIT_CODE = 128 + 9;

    private final Path dataDir;
    private final Path logFile;
    private final Path logbackConfig;
    private final List<String> extraServerArgs;
    private Process process;
    private int port;
    private int starts;
    private long logOffsetAtStart;

    private BrokerProcess(Path dataDir, List<String> extraServerArgs) {
        this.dataDir = dataDir.toAbsolutePath();
        Path parent = this.dataDir.getParent();
        this.logFile = parent.resolve("broker.log");
        this.logbackConfig = parent.resolve("broker-logback.xml");
        this.extraServerArgs = List.copyOf(extraServerArgs);
    }

    /** A broker process for {@code dataDir} (created by the broker if missing); not started yet. */
    public static BrokerProcess on(Path dataDir, String... extraServerArgs) {
        return new BrokerProcess(dataDir, List.of(extraServerArgs));
    }

    /** Starts the broker and waits until it serves AMQP; fails (with the broker's output) if it does not. */
    public BrokerProcess start() throws IOException, InterruptedException {
        Optional<Integer> exited = startAllowingExit();
        if (exited.isPresent()) {
            throw new AssertionError("the broker exited with code " + exited.get() + " during start-up\n"
                    + logSinceLastStart());
        }
        return this;
    }

    /** Same data directory, new process: for after {@link #kill9()} or {@link #stop()}. */
    public BrokerProcess restart() throws IOException, InterruptedException {
        return start();
    }

    /**
     * Starts the broker and waits until it either serves AMQP (returns empty) or exits (returns its exit code).
     * Fails if neither happens within {@link #START_TIMEOUT}.
     */
    public Optional<Integer> startAllowingExit() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("broker already running (pid " + process.pid() + ")");
        }
        writeLogbackConfig();
        port = freePort();
        starts++;
        Files.writeString(logFile, String.format("%n==== [test] start #%d at %s: port %d, data dir %s%n", starts,
                LocalTime.now(), port, dataDir), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        logOffsetAtStart = Files.size(logFile);

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        // C1 only: a third faster to start, which matters with ~25 starts per suite on two cores.
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Dlogback.configurationFile=" + logbackConfig);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("dev.ferrymq.server.cli.Main");
        command.add("server");
        command.add("--amqp-port");
        command.add(Integer.toString(port));
        command.add("--bind");
        command.add("127.0.0.1");
        command.add("--data-dir");
        command.add(dataDir.toString());
        command.add("--management-port");
        command.add("-1");
        command.addAll(extraServerArgs);
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start();
        process.getOutputStream().close();

        long started = System.nanoTime();
        long deadline = started + START_TIMEOUT.toNanos();
        Exception lastFailure = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return Optional.of(process.exitValue());
            }
            try {
                Connection probe = connectionFactory(1_000).newConnection("crash-test-probe");
                probe.close();
                System.out.printf("[crash] broker pid %d serving on port %d after %d ms (start #%d, %s)%n",
                        process.pid(), port, (System.nanoTime() - started) / 1_000_000, starts, dataDir);
                return Optional.empty();
            } catch (Exception e) {
                lastFailure = e;
            }
            Thread.sleep(50);
        }
        if (!process.isAlive()) {
            return Optional.of(process.exitValue());
        }
        AssertionError error = new AssertionError("the broker (pid " + process.pid() + ") did not accept an AMQP "
                + "connection on port " + port + " within " + START_TIMEOUT + "\n" + logSinceLastStart());
        if (lastFailure != null) {
            error.initCause(lastFailure);
        }
        close();
        throw error;
    }

    /** SIGKILL ({@link Process#destroyForcibly()} on Linux): the broker gets no chance to flush or close anything. */
    public void kill9() throws InterruptedException {
        Process p = requireRunning();
        long pid = p.pid();
        p.destroyForcibly();
        if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("broker pid " + pid + " still alive " + STOP_TIMEOUT + " after SIGKILL");
        }
        awaitGone(pid);
        if (p.exitValue() != SIGKILL_EXIT_CODE) {
            throw new AssertionError("broker pid " + pid + " exited with " + p.exitValue()
                    + " instead of being killed by SIGKILL (" + SIGKILL_EXIT_CODE + ")\n" + logSinceLastStart());
        }
    }

    /** SIGTERM ({@link Process#destroy()}): the broker's shutdown hook closes connections and the store. */
    public void stop() throws InterruptedException {
        Process p = requireRunning();
        long pid = p.pid();
        p.destroy();
        if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("broker pid " + pid + " did not stop within " + STOP_TIMEOUT
                    + " after SIGTERM; killed it\n" + logSinceLastStart());
        }
        awaitGone(pid);
    }

    private static void awaitGone(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("process " + pid + " is still alive according to ProcessHandle");
            }
            Thread.sleep(10);
        }
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Exit code of the last run, once it has ended. */
    public int exitValue() {
        if (process == null || process.isAlive()) {
            throw new IllegalStateException("broker not exited");
        }
        return process.exitValue();
    }

    public long pid() {
        return requireRunning().pid();
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path messagesDir() {
        return dataDir.resolve("messages");
    }

    public Path queuesDir() {
        return dataDir.resolve("queues");
    }

    public Path logFile() {
        return logFile;
    }

    /** Everything the broker processes of this data directory wrote (all runs). */
    public String log() {
        try {
            return Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the current (or last) run wrote. */
    public String logSinceLastStart() {
        try {
            if (!Files.exists(logFile)) {
                return "";
            }
            byte[] all = Files.readAllBytes(logFile);
            int from = (int) Math.min(logOffsetAtStart, all.length);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** guest/guest on the current port, no automatic recovery, bounded timeouts. */
    public ConnectionFactory connectionFactory() {
        return connectionFactory(5_000);
    }

    private ConnectionFactory connectionFactory(int timeoutMillis) {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(port);
        f.setUsername("guest");
        f.setPassword("guest");
        f.setVirtualHost("/");
        f.setAutomaticRecoveryEnabled(false);
        f.setTopologyRecoveryEnabled(false);
        f.setConnectionTimeout(timeoutMillis);
        f.setHandshakeTimeout(timeoutMillis);
        f.setShutdownTimeout(1_000);
        f.setChannelRpcTimeout(15_000);
        f.setRequestedHeartbeat(0);
        return f;
    }

    /** Kills the process if it is still running (clean-up; no exit-code checks). */
    @Override
    public void close() {
        Process p = process;
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
            try {
                p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Process requireRunning() {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException("broker not running");
        }
        return process;
    }

    private void writeLogbackConfig() throws IOException {
        Files.createDirectories(logbackConfig.getParent());
        Files.writeString(logbackConfig, """
                <configuration>
                  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder>
                      <pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{0} - %msg%n</pattern>
                    </encoder>
                  </appender>
                  <logger name="io.netty" level="WARN"/>
                  <root level="INFO">
                    <appender-ref ref="STDOUT"/>
                  </root>
                </configuration>
                """, StandardCharsets.UTF_8);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    @Override
    public String toString() {
        return "BrokerProcess[" + dataDir + ", port " + port + (isRunning() ? ", pid " + process.pid() : "") + "]";
    }
}
