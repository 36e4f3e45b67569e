package dev.ferrymq.broker.queue.stream;

import dev.ferrymq.broker.queue.QueueArguments;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Map;

/**
 * The {@code x-stream-offset} consumer argument: where a consumer starts reading. {@code first}, {@code last}
 * (the last message), {@code next} (the default: only what is published from now on), a numeric offset, a
 * timestamp (AMQP timestamp, seconds), or an interval ({@code 1h}, {@code 30m}, {@code 7D}: that long ago).
 * Anything else is a 406, as in RabbitMQ.
 */
final class StreamOffset {
    static final String ARGUMENT = "x-stream-offset";

    private StreamOffset() {
    }

    /** The offset a consumer with {@code arguments} starts at. */
    static long start(Map<String, Object> arguments, StreamLog log, String queueDescription) throws IOException {
        Object spec = arguments.get(ARGUMENT);
        if (spec == null) {
            return log.nextOffset();
        }
        if (spec instanceof byte[] bytes) {
            spec = new String(bytes, StandardCharsets.UTF_8);
        }
        if (spec instanceof Byte || spec instanceof Short || spec instanceof Integer || spec instanceof Long) {
            long offset = ((Number) spec).longValue();
            return Math.min(Math.max(offset, log.firstOffset()), log.nextOffset());
        }
        if (spec instanceof Date timestamp) {
            return log.offsetAt(timestamp.getTime());
        }
        if (spec instanceof CharSequence text) {
            switch (text.toString()) {
                case "first":
                    return log.firstOffset();
                case "last":
                    return Math.max(log.firstOffset(), log.committedEnd() - 1);
                case "next":
                    return log.nextOffset();
                default:
                    long interval = Durations.parseMillis(text.toString());
                    if (interval > 0) {
                        return log.offsetAt(System.currentTimeMillis() - interval);
                    }
            }
        }
        throw QueueArguments.invalid(arguments, ARGUMENT, queueDescription,
                "must be first, last, next, an offset, a timestamp or an interval such as 1h");
    }
}
