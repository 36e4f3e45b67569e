package dev.ferrymq.mqtt;

import dev.ferrymq.broker.VirtualHost;

/**
 * What a connection's CONNECT established: who the client is and how long its session lives.
 *
 * @param version       the MQTT protocol level: 3 (3.1), 4 (3.1.1) or 5
 * @param clientId      the client identifier (generated when the client sent none)
 * @param assignedId    whether the server made up the client id (MQTT 5 tells the client in CONNACK)
 * @param cleanSession  3.1.1 clean session / 5 clean start: earlier subscriptions are dropped at connect
 * @param expirySeconds how long the subscriptions outlive the connection: 0 = not at all, -1 = for ever
 *                      (3.1.1 without clean session, or MQTT 5's 0xFFFFFFFF)
 * @param receiveMaximum MQTT 5: the most QoS 1 deliveries the client takes unacknowledged (65535 before 5)
 */
record Session(int version, String clientId, boolean assignedId, String user, VirtualHost vhost,
               boolean cleanSession, long expirySeconds, int keepAliveSeconds, int receiveMaximum) {

    static final int MQTT_5 = 5;

    boolean isMqtt5() {
        return version == MQTT_5;
    }

    /** The subscriptions and their queue outlive the connection. */
    boolean persistent() {
        return expirySeconds != 0;
    }

    /** The key of the client-id registry: a client id is unique within its vhost. */
    String registryKey() {
        return vhost.name() + '\u0000' + clientId;
    }

    String protocolName() {
        return switch (version) {
            case 3 -> "MQTT 3.1";
            case 4 -> "MQTT 3.1.1";
            default -> "MQTT 5.0";
        };
    }
}
