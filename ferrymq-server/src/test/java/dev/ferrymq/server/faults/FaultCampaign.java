package dev.ferrymq.server.faults;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The long fault campaign, one command ({@code bench/faults/run.sh}, which builds the test class path and runs
 * this): a {@link FaultRun} per configuration, one after the other on fresh clusters, then optionally the
 * single-node kill cycles, and a Markdown report ({@link CampaignReport}). Exits 1 if any run lost or invented a
 * message.
 *
 * <pre>
 * --configs 3:kill-leader,3:pause,5:mixed   nodes:nemesis, comma-separated (nemeses: {@link Nemesis#named})
 * --duration 180                            seconds of faults per configuration
 * --single-node-cycles 100                  kill -9 cycles of one broker (0: none)
 * --single-node-body 16384                  message size there (large bodies make segments roll over)
 * --out bench/results/faults.md             the report
 * --work DIR                                node data and logs (default: a new temporary directory)
 * --seed N                                  the nemesis's random choices
 * </pre>
 */
public final class FaultCampaign {
    private FaultCampaign() {
    }

    public static void main(String[] args) throws Exception {
        String configs = "3:kill-leader,3:pause,3:partition,3:mixed,5:mixed";
        int durationSeconds = 180;
        int singleNodeCycles = 0;
        int singleNodeBody = 16 * 1024;
        Path out = Path.of("bench/results/faults.md");
        Path work = null;
        long seed = System.currentTimeMillis();
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--configs" -> configs = value;
                case "--duration" -> durationSeconds = Integer.parseInt(value);
                case "--single-node-cycles" -> singleNodeCycles = Integer.parseInt(value);
                case "--single-node-body" -> singleNodeBody = Integer.parseInt(value);
                case "--out" -> out = Path.of(value);
                case "--work" -> work = Path.of(value);
                case "--seed" -> seed = Long.parseLong(value);
                default -> throw new IllegalArgumentException("unknown flag " + args[i] + " (see FaultCampaign)");
            }
            i++;
        }
        if (work == null) {
            work = Files.createTempDirectory("ferrymq-faults-");
        }
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<FaultRun.Result> results = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        int index = 0;
        for (String spec : configs.split(",")) {
            String[] parts = spec.trim().split(":");
            FaultRun.Config config = FaultRun.Config.of(Integer.parseInt(parts[0]), parts[1],
                    Duration.ofSeconds(durationSeconds), seed + index);
            Path dir = work.resolve("run-" + ++index + "-" + parts[0] + "-" + parts[1]);
            Files.createDirectories(dir);
            System.out.println("[faults] === " + config.label() + " (" + dir + ")");
            try {
                results.add(FaultRun.run(config, dir));
            } catch (Exception | AssertionError e) {
                failures.add(config.label() + ": the run itself failed: " + e);
                e.printStackTrace();
            }
        }
        SingleNodeKillCycles.Result single = null;
        if (singleNodeCycles > 0) {
            Path dir = work.resolve("single-node");
            Files.createDirectories(dir);
            System.out.println("[faults] === single node, " + singleNodeCycles + " kill -9 cycles (" + dir + ")");
            try {
                single = SingleNodeKillCycles.run(SingleNodeKillCycles.Config.of(singleNodeCycles, singleNodeBody,
                        seed), dir);
            } catch (Exception | AssertionError e) {
                failures.add("single node: the run itself failed: " + e);
                e.printStackTrace();
            }
        }
        String report = CampaignReport.markdown(started, String.join(" ", args), seed, results, single, failures,
                work);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report);
        System.out.println(report);
        boolean passed = failures.isEmpty() && results.stream().allMatch(FaultRun.Result::passed)
                && (single == null || single.passed());
        System.exit(passed ? 0 : 1);
    }
}
