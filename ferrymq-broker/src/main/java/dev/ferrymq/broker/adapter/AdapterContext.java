package dev.ferrymq.broker.adapter;

import dev.ferrymq.broker.Broker;

import java.util.concurrent.ScheduledExecutorService;

/**
 * What the server gives a protocol adapter: the broker, its settings, the connection limits and resource alarms
 * that apply to every listener, and the server's event loops. Implemented by the server.
 */
public interface AdapterContext {

    Broker broker();

    /**
     * The value of a server setting by its config-file key (e.g. {@code "mqtt-port"}, {@code "bind"}), as the
     * server's settings table parsed it; IllegalArgumentException for an unknown key or a value of another type.
     */
    <T> T setting(String key, Class<T> type);

    /** The server's acceptor and I/O event loops (Netty {@code EventLoopGroup}s; the broker knows no Netty). */
    ScheduledExecutorService acceptorLoops();

    ScheduledExecutorService ioLoops();

    /**
     * The server's TLS context (a Netty {@code SslContext} built from {@code tls-cert}, {@code tls-key}, ...), or
     * null when no certificate is configured.
     */
    Object tlsContext();

    ConnectionGate connections();

    ResourceAlarms alarms();
}
