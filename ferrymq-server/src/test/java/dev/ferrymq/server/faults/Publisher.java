package dev.ferrymq.server.faults;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * One publisher of the workload: persistent, mandatory messages with publisher confirms, each carrying a unique id
 * ({@code p<index>-<seq>}, as its {@code message-id} and at the start of its body), at most {@code window}
 * unconfirmed at a time and at most one per {@code interval}. It starts on node {@code index}; when its connection
 * fails, a confirm does not come within {@code confirmTimeout}, or a message is nacked, it records that (the
 * unconfirmed ids as indeterminate), and moves on to the next node. The loop ends when {@code running} says so;
 * the confirms still out are then awaited for at most {@code confirmTimeout}. One thread.
 */
final class Publisher implements Runnable {
    private static final Duration RECONNECT_PAUSE = Duration.ofMillis(300);
    /** Unconfirmed messages and no confirm for this long: the publish path counts as down (a window opens). */
    static final Duration STALL = Duration.ofSeconds(2);

    private final int index;
    private final Endpoints endpoints;
    private final String queue;
    private final History history;
    private final Workload.Settings settings;
    private final BooleanSupplier running;
    private long sequence;
    private volatile long lastConfirmNanos = System.nanoTime();
    private long lastReportNanos;

    Publisher(int index, Endpoints endpoints, String queue, History history, Workload.Settings settings,
            BooleanSupplier running) {
        this.index = index;
        this.endpoints = endpoints;
        this.queue = queue;
        this.history = history;
        this.settings = settings;
        this.running = running;
    }

    @Override
    public void run() {
        int node = index;
        // a failure already reported is not reported again (a refused reconnection) until confirms flow again
        Set<String> reported = new HashSet<>();
        while (running.getAsBoolean()) {
            ConcurrentNavigableMap<Long, String> unconfirmed = new ConcurrentSkipListMap<>();
            try (Connection connection = endpoints.factory(node % endpoints.size())
                    .newConnection("faults-publisher-" + index)) {
                publishUntilStopped(connection, unconfirmed);
                return;
            } catch (Exception e) {
                unconfirmed.values().forEach(history::indeterminate);
                if (running.getAsBoolean()) {
                    history.publishPathDown(index);
                }
                if (lastConfirmNanos > lastReportNanos) {
                    reported.clear();
                }
                if (running.getAsBoolean() && (reported.add(describe(e)) || !unconfirmed.isEmpty())) {
                    lastReportNanos = System.nanoTime();
                    history.event("publisher " + index + " on " + endpoints.name(node % endpoints.size()) + ": "
                            + describe(e) + "; " + unconfirmed.size() + " indeterminate, moving on");
                }
                node++;
                sleep(RECONNECT_PAUSE.toMillis());
            }
        }
    }

    private void publishUntilStopped(Connection connection, ConcurrentNavigableMap<Long, String> unconfirmed)
            throws Exception {
        Channel channel = connection.createChannel();
        channel.confirmSelect();
        // mandatory: a node that does not know the queue returns the message instead of confirming it silently
        boolean[] returnSeen = {false};
        channel.addReturnListener(returned -> {
            history.returned(returned.getProperties().getMessageId());
            if (!returnSeen[0]) {
                returnSeen[0] = true; // once per connection
                history.event("publisher " + index + ": " + returned.getProperties().getMessageId() + " returned, "
                        + returned.getReplyText());
            }
        });
        ConcurrentNavigableMap<Long, Long> sentAt = new ConcurrentSkipListMap<>();
        boolean[] nackSeen = {false};
        channel.addConfirmListener((tag, multiple) -> settle(unconfirmed, sentAt, tag, multiple, true),
                (tag, multiple) -> {
                    nackSeen[0] = true;
                    settle(unconfirmed, sentAt, tag, multiple, false);
                });
        long nextSend = System.nanoTime();
        while (running.getAsBoolean()) {
            checkConfirmTimeout(sentAt);
            noteStall(sentAt);
            if (!connection.isOpen()) {
                throw new IllegalStateException("connection closed: " + connection.getCloseReason());
            }
            if (nackSeen[0]) {
                nackSeen[0] = false;
                history.event("publisher " + index + ": nacked");
            }
            if (unconfirmed.size() >= settings.window() || System.nanoTime() < nextSend) {
                sleep(2);
                continue;
            }
            nextSend = Math.max(nextSend + settings.interval().toNanos(), System.nanoTime());
            String id = "p" + index + "-" + sequence++;
            long tag = channel.getNextPublishSeqNo();
            history.published(id);
            unconfirmed.put(tag, id);
            sentAt.put(tag, System.nanoTime());
            channel.basicPublish("", queue, true, properties(id), body(id, settings.bodySize()));
        }
        long deadline = System.nanoTime() + settings.confirmTimeout().toNanos();
        while (!unconfirmed.isEmpty() && System.nanoTime() < deadline && connection.isOpen()) {
            sleep(10);
        }
        unconfirmed.values().forEach(history::indeterminate);
    }

    private void settle(ConcurrentNavigableMap<Long, String> unconfirmed, ConcurrentNavigableMap<Long, Long> sentAt,
            long tag, boolean multiple, boolean ack) {
        lastConfirmNanos = System.nanoTime();
        Map<Long, String> settled = multiple ? unconfirmed.headMap(tag, true) : subMap(unconfirmed, tag);
        for (String id : settled.values()) {
            if (ack) {
                history.confirmed(index, id);
            } else {
                history.nacked(index, id);
            }
        }
        settled.clear();
        if (multiple) {
            sentAt.headMap(tag, true).clear();
        } else {
            sentAt.remove(tag);
        }
    }

    private static Map<Long, String> subMap(ConcurrentNavigableMap<Long, String> map, long tag) {
        return map.subMap(tag, true, tag, true);
    }

    private void checkConfirmTimeout(ConcurrentNavigableMap<Long, Long> sentAt) throws TimeoutException {
        Map.Entry<Long, Long> oldest = sentAt.firstEntry();
        if (oldest != null && System.nanoTime() - oldest.getValue() > settings.confirmTimeout().toNanos()) {
            throw new TimeoutException("no confirm for " + settings.confirmTimeout().toSeconds() + " s");
        }
    }

    /** Opens an unavailability window if the oldest unconfirmed message has waited {@link #STALL} for nothing. */
    private void noteStall(ConcurrentNavigableMap<Long, Long> sentAt) {
        Map.Entry<Long, Long> oldest = sentAt.firstEntry();
        if (oldest != null) {
            long since = Math.max(oldest.getValue(), lastConfirmNanos);
            if (System.nanoTime() - since > STALL.toNanos()) {
                history.publishPathDown(index, history.millisAt(since));
            }
        }
    }

    static AMQP.BasicProperties properties(String id) {
        return new AMQP.BasicProperties.Builder().messageId(id).deliveryMode(2).build();
    }

    /** The id, then spaces up to {@code size} bytes. */
    static byte[] body(String id, int size) {
        byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[Math.max(size, idBytes.length)];
        Arrays.fill(body, (byte) ' ');
        System.arraycopy(idBytes, 0, body, 0, idBytes.length);
        return body;
    }

    static String describe(Exception e) {
        String message = e.getMessage() != null ? e.getMessage() : e.getCause() != null ? e.getCause().toString() : "";
        return e.getClass().getSimpleName() + (message.isEmpty() ? "" : " (" + message.lines().findFirst().orElse("")
                + ")");
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
