package dev.ferrymq.server.it;

import dev.ferrymq.server.cli.Main;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Runs a {@code ferrymq} client subcommand in-process, with the given stdin, capturing stdout and stderr. */
public final class CliRunner {
    public record Run(int exitCode, String out, String err) {
    }

    private CliRunner() {
    }

    /** A management (HTTP) command against a broker's management port. */
    public static Run ferrymq(int managementPort, String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--management-url";
        all[args.length + 1] = "http://127.0.0.1:" + managementPort;
        return run("", all);
    }

    /** Any command, exactly as given, reading {@code stdin}. */
    static synchronized Run run(String stdin, String... args) {
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        InputStream originalIn = System.in;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            int code = new CommandLine(new Main()).execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
            System.setIn(originalIn);
        }
    }
}
