package dev.ferrymq.server.faults;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the clients saw during a run, per message id: published (sent, whatever happened next), confirmed, nacked,
 * returned (unroutable: the publisher is told, so it does not count as confirmed), indeterminate (the connection
 * died or the confirm timed out: it may or may not be in the queue), delivered (with how often and when) and
 * settled (an ack known to be done: {@code tx.commit-ok} after it). Also the windows in which a publisher could
 * not get anything confirmed, the queue's leader changes and the nemesis's log.
 *
 * <p>Thread-safe: written by every publisher, consumer, the leader watch and the nemesis at once. Times are
 * milliseconds since the run started.
 */
final class History {
    private final long startNanos = System.nanoTime();
    private final Map<String, Boolean> published = new ConcurrentHashMap<>();
    private final Map<String, Boolean> confirmed = new ConcurrentHashMap<>();
    private final Map<String, Boolean> nacked = new ConcurrentHashMap<>();
    private final Map<String, Boolean> indeterminate = new ConcurrentHashMap<>();
    private final Map<String, Boolean> returned = new ConcurrentHashMap<>();
    private final Map<String, List<Long>> deliveries = new ConcurrentHashMap<>();
    private final Map<String, Boolean> acked = new ConcurrentHashMap<>();
    private final Map<String, Long> settledAt = new ConcurrentHashMap<>();
    private final Map<Integer, Long> downSince = new ConcurrentHashMap<>();
    private final List<Window> unavailable = new ArrayList<>();
    private final List<LeaderChange> leaderChanges = new ArrayList<>();
    private final List<String> events = new ArrayList<>();
    private final AtomicLong lastDeliveryMillis = new AtomicLong();

    record Window(int publisher, long fromMillis, long toMillis, boolean openAtEnd) {
        long millis() {
            return toMillis - fromMillis;
        }
    }

    record LeaderChange(long atMillis, String from, String to) { }

    long now() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** {@code nanoTime} (a {@link System#nanoTime()}) as milliseconds since the run started. */
    long millisAt(long nanoTime) {
        return (nanoTime - startNanos) / 1_000_000;
    }

    void published(String id) {
        published.put(id, true);
    }

    void confirmed(int publisher, String id) {
        confirmed.put(id, true);
        publishPathUp(publisher);
    }

    void nacked(int publisher, String id) {
        nacked.put(id, true);
        publishPathDown(publisher);
    }

    /** The broker returned {@code id} as unroutable (basic.return; its confirm follows, but nothing holds it). */
    void returned(String id) {
        returned.put(id, true);
    }

    void indeterminate(String id) {
        indeterminate.put(id, true);
    }

    void delivered(String id) {
        long at = now();
        deliveries.computeIfAbsent(id, k -> Collections.synchronizedList(new ArrayList<>())).add(at);
        lastDeliveryMillis.set(at);
    }

    void acked(String id) {
        acked.put(id, true);
    }

    /** The ack of {@code id} is known to have taken effect ({@code tx.commit-ok}). */
    void settled(String id) {
        settledAt.putIfAbsent(id, now());
    }

    /** Publisher {@code publisher} failed to publish (connection lost, nack, confirm timeout): a window opens. */
    void publishPathDown(int publisher) {
        publishPathDown(publisher, now());
    }

    /** Publisher {@code publisher} has been unable to get a confirm since {@code sinceMillis}. */
    void publishPathDown(int publisher, long sinceMillis) {
        downSince.putIfAbsent(publisher, sinceMillis);
    }

    private void publishPathUp(int publisher) {
        Long since = downSince.remove(publisher);
        if (since != null) {
            synchronized (unavailable) {
                unavailable.add(new Window(publisher, since, now(), false));
            }
        }
    }

    /** Closes the windows still open (the run ended with those publishers unable to publish). */
    void closeOpenWindows() {
        for (Integer publisher : List.copyOf(downSince.keySet())) {
            Long since = downSince.remove(publisher);
            if (since != null) {
                synchronized (unavailable) {
                    unavailable.add(new Window(publisher, since, now(), true));
                }
            }
        }
    }

    void leaderChanged(String from, String to) {
        synchronized (leaderChanges) {
            leaderChanges.add(new LeaderChange(now(), from, to));
        }
        event("leader " + from + " -> " + to);
    }

    void event(String what) {
        String line = String.format("%7.1f s  %s", now() / 1000.0, what);
        synchronized (events) {
            events.add(line);
        }
        System.out.println("[faults] " + line);
    }

    /** How many confirmed messages have not been delivered yet (the drain is done when none). */
    long confirmedNotDelivered() {
        return confirmed.keySet().stream().filter(id -> !deliveries.containsKey(id) && !returned.containsKey(id))
                .count();
    }

    long lastDeliveryMillis() {
        return lastDeliveryMillis.get();
    }

    /** An immutable copy for the checker. */
    Snapshot snapshot() {
        Map<String, List<Long>> deliveriesCopy = new HashMap<>();
        deliveries.forEach((id, times) -> {
            synchronized (times) {
                deliveriesCopy.put(id, List.copyOf(times));
            }
        });
        synchronized (unavailable) {
            synchronized (leaderChanges) {
                synchronized (events) {
                    return new Snapshot(Map.copyOf(published).keySet(), Map.copyOf(confirmed).keySet(),
                            Map.copyOf(nacked).keySet(), Map.copyOf(indeterminate).keySet(),
                            Map.copyOf(returned).keySet(), Map.copyOf(deliveriesCopy),
                            Map.copyOf(acked).keySet(), Map.copyOf(settledAt), List.copyOf(unavailable),
                            List.copyOf(leaderChanges), List.copyOf(events));
                }
            }
        }
    }

    record Snapshot(Set<String> published, Set<String> confirmed, Set<String> nacked,
            Set<String> indeterminate, Set<String> returned, Map<String, List<Long>> deliveries, Set<String> acked,
            Map<String, Long> settledAt, List<Window> unavailable, List<LeaderChange> leaderChanges,
            List<String> events) { }
}
