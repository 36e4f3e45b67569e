package dev.ferrymq.server.it;

import dev.ferrymq.server.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Runs a {@code ferrymq} client subcommand in-process against a broker's management port, capturing stdout. */
final class CliRunner {
    record Run(int exitCode, String out) {
    }

    private CliRunner() {
    }

    static Run ferrymq(int managementPort, String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            String[] all = new String[args.length + 2];
            System.arraycopy(args, 0, all, 0, args.length);
            all[args.length] = "--management-url";
            all[args.length + 1] = "http://127.0.0.1:" + managementPort;
            int code = new CommandLine(new Main()).execute(all);
            return new Run(code, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
    }
}
