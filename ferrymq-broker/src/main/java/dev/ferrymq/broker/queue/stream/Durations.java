package dev.ferrymq.broker.queue.stream;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * RabbitMQ's duration strings, as {@code x-max-age} and the {@code x-stream-offset} interval use them: a positive
 * integer and one unit, {@code Y} (365 days), {@code M} (30 days), {@code D}, {@code h}, {@code m} or {@code s}
 * (e.g. {@code 7D}, {@code 1h}, {@code 30m}). Stateless.
 */
final class Durations {
    private static final Pattern DURATION = Pattern.compile("(\\d+)([YMDhms])");
    private static final long SECOND = 1000;
    private static final long DAY = 24 * 3600 * SECOND;

    private Durations() {
    }

    /** The duration in milliseconds, or -1 when {@code text} is not a positive duration. */
    static long parseMillis(String text) {
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            return -1;
        }
        long amount;
        try {
            amount = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return -1;
        }
        long unit = switch (m.group(2)) {
            case "Y" -> 365 * DAY;
            case "M" -> 30 * DAY;
            case "D" -> DAY;
            case "h" -> 3600 * SECOND;
            case "m" -> 60 * SECOND;
            default -> SECOND;
        };
        if (amount <= 0 || amount > Long.MAX_VALUE / unit) {
            return -1;
        }
        return amount * unit;
    }
}
