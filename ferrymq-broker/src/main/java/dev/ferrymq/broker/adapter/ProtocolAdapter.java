package dev.ferrymq.broker.adapter;

import java.util.ServiceLoader;

/**
 * A protocol other than AMQP 0-9-1 (MQTT, later STOMP) served on its own listener over the same broker: its
 * messages go through each virtual host's one {@code Publisher} and its subscribers consume from ordinary queues.
 * Implementations are found with {@link ServiceLoader} (a {@code META-INF/services/dev.ferrymq.broker.adapter.
 * ProtocolAdapter} entry) and only looked up when the server is configured to listen for that protocol, so the
 * broker and the server compile and run without them, as with {@code ClusterProvider}.
 */
public interface ProtocolAdapter {

    /** The protocol's name, as in the setting that turns it on ({@code mqtt} for {@code mqtt-port}). */
    String name();

    /** Binds the listener and returns once it accepts connections. */
    ProtocolListener start(AdapterContext context) throws Exception;

    /** The adapter of that name on the class path; IllegalStateException if there is none. */
    static ProtocolAdapter load(String name) {
        return ServiceLoader.load(ProtocolAdapter.class).stream().map(ServiceLoader.Provider::get)
                .filter(adapter -> adapter.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("the " + name + " listener is configured but no "
                        + name + " adapter is on the class path (the ferrymq-" + name + " module)"));
    }
}
