package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferrymq server} (the real Main, in its own JVM with the product's ferrymq-logback.xml) when a listener cannot
 * bind: it exits non-zero with one line naming the listener, the address and port and the flag and environment
 * variable that change it, and prints no stack trace. Each port is taken by a plain ServerSocket this test holds.
 */
class PortTakenTest {
    private static final String LOOPBACK = "127.0.0.1";

    @TempDir
    static Path dir;
    private static ServerSocket taken;
    private static int port;
    private static List<String> tls;

    @BeforeAll
    static void takeAPortAndMakeACertificate() throws Exception {
        taken = new ServerSocket();
        taken.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), 0));
        port = taken.getLocalPort();
        TestCertificates certificates = TestCertificates.newCa("FerryMQ port test CA");
        TestCertificates.Identity server = certificates.server();
        tls = List.of("--tls-cert", TestCertificates.writeCertificatePem(dir.resolve("server.pem"),
                server.chain()).toString(), "--tls-key",
                TestCertificates.writeKeyPem(dir.resolve("server.key"), server.key()).toString());
    }

    @AfterAll
    static void release() throws IOException {
        taken.close();
    }

    @Test
    void amqpPortTakenNamesAmqpPortFlagAndVariable() throws Exception {
        assertFailsWithOneLine(List.of("--amqp-port", Integer.toString(port)),
                "ferrymq: cannot listen on 127.0.0.1:" + port + " for AMQP: address already in use "
                        + "(another broker running?); choose another port with --amqp-port or FERRYMQ_AMQP_PORT");
    }

    @Test
    void amqpsPortTakenNamesAmqpsPortFlagAndVariable() throws Exception {
        List<String> args = new ArrayList<>(tls);
        args.addAll(List.of("--amqps-port", Integer.toString(port)));
        assertFailsWithOneLine(args, "ferrymq: cannot listen on 127.0.0.1:" + port + " for AMQPS: address already "
                + "in use (another broker running?); choose another port with --amqps-port or FERRYMQ_AMQPS_PORT");
    }

    @Test
    void managementPortTakenNamesManagementPortFlagAndVariable() throws Exception {
        assertFailsWithOneLine(List.of("--management-port", Integer.toString(port)),
                "ferrymq: cannot listen on 127.0.0.1:" + port + " for the management HTTP API: address already in "
                        + "use (another broker running?); choose another port with --management-port or "
                        + "FERRYMQ_MANAGEMENT_PORT");
    }

    @Test
    void managementHttpsPortTakenNamesManagementPortFlagAndVariable() throws Exception {
        List<String> args = new ArrayList<>(tls);
        args.addAll(List.of("--amqps-port", "0", "--management-tls", "--management-port", Integer.toString(port)));
        assertFailsWithOneLine(args, "ferrymq: cannot listen on 127.0.0.1:" + port + " for the management HTTPS "
                + "API: address already in use (another broker running?); choose another port with "
                + "--management-port or FERRYMQ_MANAGEMENT_PORT");
    }

    @Test
    void linePortTakenNamesLinePortFlagAndVariable() throws Exception {
        assertFailsWithOneLine(List.of("--line-port", Integer.toString(port)),
                "ferrymq: cannot listen on 127.0.0.1:" + port + " for the line listener: address already in use "
                        + "(another broker running?); choose another port with --line-port or FERRYMQ_LINE_PORT");
    }

    @Test
    void aPortTakenThroughTheEnvironmentGetsTheSameLine() throws Exception {
        assertFailsWithOneLine(List.of(), List.of("FERRYMQ_AMQP_PORT=" + port),
                "ferrymq: cannot listen on 127.0.0.1:" + port + " for AMQP: address already in use "
                        + "(another broker running?); choose another port with --amqp-port or FERRYMQ_AMQP_PORT");
    }

    @Test
    void anAddressOfNoInterfaceHereNamesTheBindFlagAndVariable() throws Exception {
        // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): no machine has it, so bind fails with EADDRNOTAVAIL
        assertFailsWithOneLine(List.of("--bind", "192.0.2.1"),
                "ferrymq: cannot listen on 192.0.2.1:0 for AMQP: no network interface of this machine has that "
                        + "address; choose another address with --bind or FERRYMQ_BIND");
    }

    @Test
    void aPortOutOfRangeNamesItsFlagAndVariable() throws Exception {
        assertFailsWithOneLine(List.of("--line-port", "70000"),
                "ferrymq: cannot listen on 127.0.0.1:70000 for the line listener: not a port number (0 to 65535); "
                        + "choose another port with --line-port or FERRYMQ_LINE_PORT");
    }

    @Test
    void anUnknownHostNamesTheBindFlagAndVariable() throws Exception {
        assertFailsWithOneLine(List.of("--bind", "nosuch.invalid"),
                "ferrymq: cannot listen on nosuch.invalid:0 for AMQP: unknown host 'nosuch.invalid'; choose "
                        + "another address with --bind or FERRYMQ_BIND");
    }

    @Test
    void aBadValueInTheEnvironmentIsOneLineNamingTheVariable() throws Exception {
        assertFailsWithOneLine(List.of(), List.of("FERRYMQ_AMQP_PORT=abc"),
                "ferrymq: bad setting FERRYMQ_AMQP_PORT = 'abc': not a whole number");
    }

    @Test
    void aBadFlagValueIsOneLineNamingTheFlag() throws Exception {
        assertFailsWithOneLine(List.of("--memory-high-watermark", "2"),
                "ferrymq: bad setting --memory-high-watermark = '2': memory high watermark must be a fraction in "
                        + "[0, 1], not 2.0");
    }

    @Test
    void aMissingConfigFileIsOneLine() throws Exception {
        Path missing = dir.resolve("missing.conf");
        assertFailsWithOneLine(List.of("--config", missing.toString()), "ferrymq: no config file " + missing);
    }

    private static void assertFailsWithOneLine(List<String> args, String expectedLine) throws Exception {
        assertFailsWithOneLine(args, List.of(), expectedLine);
    }

    private static void assertFailsWithOneLine(List<String> args, List<String> environment, String expectedLine)
            throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-XX:TieredStopAtLevel=1", "-Dlogback.configurationFile=ferrymq-logback.xml", // the product's, not the tests'
                "-cp", System.getProperty("java.class.path"), "dev.ferrymq.server.cli.Main", "server",
                "--data-dir", dir.resolve("data").toString()));
        command.addAll(args);
        // defaults for what the case does not set itself (picocli takes each flag once)
        addUnlessGiven(command, "--bind", LOOPBACK);
        addUnlessGiven(command, "--management-port", "-1");
        if (environment.isEmpty()) {
            addUnlessGiven(command, "--amqp-port", "0");
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("FERRYMQ_"));
        for (String variable : environment) {
            String[] nameAndValue = variable.split("=", 2);
            builder.environment().put(nameAndValue[0], nameAndValue[1]);
        }
        Process process = builder.start();
        process.getOutputStream().close();
        boolean exited = process.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(exited).as("the server exits by itself; output:%n%s", output).isTrue();
        assertThat(process.exitValue()).as("exit code; output:%n%s", output).isNotZero();
        assertThat(output.lines()).as("output").contains(expectedLine);
        assertThat(output).as("no stack trace").doesNotContain("\tat ").doesNotContain("Exception");
    }

    private static void addUnlessGiven(List<String> command, String flag, String value) {
        if (!command.contains(flag)) {
            command.addAll(List.of(flag, value));
        }
    }
}
