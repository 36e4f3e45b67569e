package dev.ferrymq.server.amqp;

import dev.ferrymq.broker.adapter.ConnectionGate;
import dev.ferrymq.server.config.ServerConfig;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts open connections in total, per virtual host and per user, against the configured maxima (0 = no limit).
 * Every listener counts against the same limits (protocol adapters through {@link ConnectionGate}). Thread-safe:
 * connections on different event loops acquire and release concurrently.
 */
public final class ConnectionLimits implements ConnectionGate {
    private final ServerConfig config;
    private final AtomicInteger sockets = new AtomicInteger();
    private final Map<String, AtomicInteger> perVhost = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> perUser = new ConcurrentHashMap<>();

    public ConnectionLimits(ServerConfig config) {
        this.config = config;
    }

    /** Counts a new socket; false (and not counted) when {@code max-connections} sockets are already open. */
    @Override
    public boolean tryAcceptSocket() {
        return tryAcquire(sockets, config.maxConnections());
    }

    @Override
    public void socketClosed() {
        sockets.decrementAndGet();
    }

    /**
     * Counts an opened AMQP connection; returns null on success, else the refusal text in RabbitMQ's words
     * (the caller answers 530 NOT_ALLOWED).
     */
    @Override
    public String tryOpen(String vhost, String user) {
        AtomicInteger vhostCount = perVhost.computeIfAbsent(vhost, v -> new AtomicInteger());
        if (!tryAcquire(vhostCount, config.maxConnectionsPerVhost())) {
            return "access to vhost '" + vhost + "' refused for user '" + user + "': connection limit ("
                    + config.maxConnectionsPerVhost() + ") is reached";
        }
        AtomicInteger userCount = perUser.computeIfAbsent(user, u -> new AtomicInteger());
        if (!tryAcquire(userCount, config.maxConnectionsPerUser())) {
            vhostCount.decrementAndGet();
            return "Connection refused for user '" + user + "': user connection limit ("
                    + config.maxConnectionsPerUser() + ") is reached";
        }
        return null;
    }

    @Override
    public void closed(String vhost, String user) {
        perVhost.get(vhost).decrementAndGet();
        perUser.get(user).decrementAndGet();
    }

    private static boolean tryAcquire(AtomicInteger count, int max) {
        while (true) {
            int current = count.get();
            if (max > 0 && current >= max) {
                return false;
            }
            if (count.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }
}
