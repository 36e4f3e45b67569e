package dev.ferrymq.broker;

import java.nio.charset.StandardCharsets;

final class Messages {
    private Messages() {
    }

    static Message msg(String body) {
        return new Message("", "", new byte[0], body.getBytes(StandardCharsets.UTF_8), false);
    }

    static String body(QueueEntry entry) {
        return entry == null ? null : new String(entry.message().body(), StandardCharsets.UTF_8);
    }
}
