package dev.ferrymq.server.faults;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Jepsen's {@code total-queue} check over a {@link History}: every confirmed message must have been delivered
 * (else it is <b>lost</b>; one returned as unroutable is not counted: its publisher was told), every delivered
 * message must have been published (else it is <b>unexpected</b>), and a message settled with
 * {@code tx.commit-ok} must not come back (else it is <b>resurrected</b>). Duplicates (at-least-once
 * redeliveries) are allowed and counted, as are nacks, returns, indeterminate publishes (delivered or not, both
 * are fine), unavailability windows and leader changes. Stateless.
 */
final class Checker {
    private static final int SAMPLE = 10;

    private Checker() {
    }

    static Verdict check(History.Snapshot history) {
        TreeSet<String> lost = new TreeSet<>();
        for (String id : history.confirmed()) {
            if (!history.deliveries().containsKey(id) && !history.returned().contains(id)) {
                lost.add(id);
            }
        }
        TreeSet<String> unexpected = new TreeSet<>();
        TreeSet<String> resurrected = new TreeSet<>();
        long duplicates = 0;
        for (Map.Entry<String, List<Long>> entry : history.deliveries().entrySet()) {
            String id = entry.getKey();
            if (!history.published().contains(id)) {
                unexpected.add(id);
            }
            duplicates += entry.getValue().size() - 1;
            Long settled = history.settledAt().get(id);
            if (settled != null && entry.getValue().stream().anyMatch(at -> at > settled)) {
                resurrected.add(id);
            }
        }
        long unavailableMillis = 0;
        long longestMillis = 0;
        for (History.Window window : history.unavailable()) {
            unavailableMillis += window.millis();
            longestMillis = Math.max(longestMillis, window.millis());
        }
        return new Verdict(history.published().size(), history.confirmed().size(), history.acked().size(),
                history.deliveries().size(), lost.size(), sample(lost), unexpected.size(), sample(unexpected),
                resurrected.size(), sample(resurrected), duplicates, history.nacked().size(),
                history.returned().size(), history.indeterminate().size(), history.unavailable().size(),
                longestMillis, unavailableMillis, history.leaderChanges().size());
    }

    private static List<String> sample(TreeSet<String> ids) {
        return ids.stream().limit(SAMPLE).toList();
    }

    /** The counts of one run; {@link #passed()} is false if anything was lost, unexpected or resurrected. */
    record Verdict(long published, long confirmed, long acked, long delivered, long lost, List<String> lostSample,
            long unexpected, List<String> unexpectedSample, long resurrected, List<String> resurrectedSample,
            long duplicates, long nacked, long returned, long indeterminate, int unavailableWindows,
            long longestUnavailableMillis, long unavailableMillis, int leaderChanges) {

        boolean passed() {
            return lost == 0 && unexpected == 0 && resurrected == 0;
        }

        String summary() {
            return String.format("published %d, confirmed %d, delivered %d (acked %d), lost %d %s, unexpected %d %s, "
                    + "resurrected %d %s, duplicates %d, nacked %d, returned %d, indeterminate %d, unavailable %d "
                    + "windows (longest %.1f s, total %.1f s), leader changes %d: %s", published, confirmed, delivered,
                    acked, lost, lostSample, unexpected, unexpectedSample, resurrected, resurrectedSample, duplicates,
                    nacked, returned, indeterminate, unavailableWindows, longestUnavailableMillis / 1000.0,
                    unavailableMillis / 1000.0, leaderChanges, passed() ? "PASS" : "FAIL");
        }
    }
}
