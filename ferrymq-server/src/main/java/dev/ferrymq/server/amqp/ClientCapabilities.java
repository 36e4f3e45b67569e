package dev.ferrymq.server.amqp;

import java.util.Map;

/** Reads the {@code capabilities} table a client sends in its connection.start-ok client-properties. */
final class ClientCapabilities {
    private ClientCapabilities() {
    }

    static boolean supports(Map<String, Object> clientProperties, String capability) {
        if (clientProperties != null && clientProperties.get("capabilities") instanceof Map<?, ?> capabilities) {
            return Boolean.TRUE.equals(capabilities.get(capability));
        }
        return false;
    }
}
