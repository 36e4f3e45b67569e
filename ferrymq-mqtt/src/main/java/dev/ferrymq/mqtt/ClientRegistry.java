package dev.ferrymq.mqtt;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The logged-in MQTT connections by client id (per vhost), for client-id takeover: a second connection with the
 * same client id replaces the first, which is closed (MQTT 3.1.1 §3.1.4). Also every open connection, for the
 * management API, alarm clearing and shutdown. Thread-safe.
 */
final class ClientRegistry {
    private final Map<String, MqttConnection> byClientId = new ConcurrentHashMap<>();
    private final Map<MqttConnection, Boolean> open = new ConcurrentHashMap<>();

    void opened(MqttConnection connection) {
        open.put(connection, Boolean.TRUE);
    }

    void closed(MqttConnection connection) {
        open.remove(connection);
    }

    Collection<MqttConnection> open() {
        return open.keySet();
    }

    /** Registers {@code connection} under {@code key}; returns the connection it replaces, or null. */
    MqttConnection claim(String key, MqttConnection connection) {
        return byClientId.put(key, connection);
    }

    /** Removes {@code connection} unless another has already claimed its key. */
    void release(String key, MqttConnection connection) {
        byClientId.remove(key, connection);
    }
}
