package dev.ferrymq.broker.adapter;

/**
 * The server's connection limits, shared by every listener: {@code max-connections} sockets and the per-vhost and
 * per-user maxima. Thread-safe.
 */
public interface ConnectionGate {

    /** Counts a new socket; false (and not counted) when the limit is reached: close it. */
    boolean tryAcceptSocket();

    void socketClosed();

    /** Counts a logged-in connection; null on success, else the refusal in RabbitMQ's words. */
    String tryOpen(String vhost, String user);

    /** A connection counted by {@link #tryOpen} closed. */
    void closed(String vhost, String user);
}
