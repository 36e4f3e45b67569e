package dev.ferrymq.server.faults;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/** The campaign's Markdown: one table row per run, the single-node cycles, then each run's event log. Stateless. */
final class CampaignReport {
    private static final int EVENT_LINES = 80;

    private CampaignReport() {
    }

    static String markdown(Instant started, String args, long seed, List<FaultRun.Result> runs,
            SingleNodeKillCycles.Result single, List<String> failures, Path work) {
        StringBuilder md = new StringBuilder();
        md.append("# Fault campaign\n\n");
        md.append("Started ").append(started).append(" with `bench/faults/run.sh ").append(args).append("` (seed ")
                .append(seed).append("); node data and logs in `").append(work).append("`. What the columns mean: ")
                .append("[bench/README.md](../README.md#fault-campaign). **lost** and **unexpected** must be 0.\n\n");
        md.append("| configuration | s | faults | published | confirmed | delivered | lost | unexpected | duplicates "
                + "| nacked | returned | indeterminate | unavailable windows | longest | total | leader changes "
                + "| result |\n");
        md.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n");
        for (FaultRun.Result run : runs) {
            Checker.Verdict v = run.verdict();
            md.append(String.format("| %s | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %.1f s "
                    + "| %.1f s | %d | %s |%n", run.config().label(), run.config().duration().toSeconds(), run.faults(),
                    v.published(), v.confirmed(), v.delivered(), v.lost(), v.unexpected(), v.duplicates(), v.nacked(),
                    v.returned(), v.indeterminate(), v.unavailableWindows(), v.longestUnavailableMillis() / 1000.0,
                    v.unavailableMillis() / 1000.0, v.leaderChanges(), result(run.passed(), run.drained())));
        }
        if (single != null) {
            Checker.Verdict v = single.verdict();
            md.append(String.format("%nSingle node, classic durable queue, %d kill -9 cycles (%d-byte messages, "
                    + "transactional acks): published %d, confirmed %d, delivered %d, **lost %d**, unexpected %d, "
                    + "**resurrected acks %d**, duplicates %d, indeterminate %d; %s.%n", single.config().cycles(),
                    single.config().workload().bodySize(), v.published(), v.confirmed(), v.delivered(), v.lost(),
                    v.unexpected(), v.resurrected(), v.duplicates(), v.indeterminate(),
                    result(single.passed(), single.drained())));
        }
        for (FaultRun.Result run : runs) {
            if (!run.skipped().isEmpty()) {
                md.append("\nNote (").append(run.config().label()).append("): ").append(run.skipped()).append('\n');
            }
            if (!run.passed()) {
                md.append("\n").append(run.config().label()).append(": lost ").append(run.verdict().lostSample())
                        .append(", unexpected ").append(run.verdict().unexpectedSample()).append('\n');
            }
        }
        for (String failure : failures) {
            md.append("\n**").append(failure).append("**\n");
        }
        for (FaultRun.Result run : runs) {
            md.append("\n<details><summary>").append(run.config().label()).append(": events</summary>\n\n```\n");
            List<String> events = run.events();
            events.stream().limit(EVENT_LINES).forEach(line -> md.append(line).append('\n'));
            if (events.size() > EVENT_LINES) {
                md.append("... ").append(events.size() - EVENT_LINES).append(" more\n")
                        .append(events.get(events.size() - 1)).append('\n');
            }
            md.append("```\n</details>\n");
        }
        return md.toString();
    }

    private static String result(boolean passed, boolean drained) {
        return passed ? "pass" : drained ? "**FAIL**" : "**FAIL** (drain timed out)";
    }
}
