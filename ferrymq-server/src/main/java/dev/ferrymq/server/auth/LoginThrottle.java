package dev.ferrymq.server.auth;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down password guessing: after {@link #FREE_FAILURES} failed logins from one address within
 * {@link #WINDOW_MILLIS}, each further refusal is delayed, doubling from 100 ms up to 5 s. A quiet window
 * forgets the address. Thread-safe.
 */
public final class LoginThrottle {
    static final int FREE_FAILURES = 3;
    static final long WINDOW_MILLIS = 60_000;
    private static final long FIRST_DELAY_MILLIS = 100;
    private static final long MAX_DELAY_MILLIS = 5_000;
    /** Bound on remembered addresses, so a scan from many addresses cannot grow the map without limit. */
    private static final int MAX_TRACKED = 10_000;

    private record Failures(int count, long windowStart) {
    }

    private final Map<InetAddress, Failures> failures = new ConcurrentHashMap<>();

    /** Records a failed login and returns how long to delay its refusal, in milliseconds (0 = none). */
    public long failed(InetAddress address, long nowMillis) {
        if (failures.size() >= MAX_TRACKED) {
            failures.values().removeIf(f -> nowMillis - f.windowStart() > WINDOW_MILLIS);
            if (failures.size() >= MAX_TRACKED) {
                failures.clear();
            }
        }
        Failures updated = failures.merge(address, new Failures(1, nowMillis), (old, one) ->
                nowMillis - old.windowStart() > WINDOW_MILLIS ? one : new Failures(old.count() + 1, old.windowStart()));
        return delayFor(updated.count());
    }

    /** Failures recorded for an address in its current window. */
    public int failureCount(InetAddress address) {
        Failures f = failures.get(address);
        return f == null ? 0 : f.count();
    }

    static long delayFor(int failureCount) {
        if (failureCount <= FREE_FAILURES) {
            return 0;
        }
        int doublings = Math.min(failureCount - FREE_FAILURES - 1, 10);
        return Math.min(FIRST_DELAY_MILLIS << doublings, MAX_DELAY_MILLIS);
    }
}
