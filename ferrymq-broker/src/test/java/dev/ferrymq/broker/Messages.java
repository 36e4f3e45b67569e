package dev.ferrymq.broker;

import dev.ferrymq.broker.queue.QueueEntry;
import java.nio.charset.StandardCharsets;

public final class Messages {
    private Messages() {
    }

    public static Message msg(String body) {
        return new Message("", "", new byte[0], body.getBytes(StandardCharsets.UTF_8), false);
    }

    public static String body(QueueEntry entry) {
        return entry == null ? null : new String(entry.message().body(), StandardCharsets.UTF_8);
    }
}
