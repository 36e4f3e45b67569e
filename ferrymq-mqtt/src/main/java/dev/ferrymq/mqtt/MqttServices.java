package dev.ferrymq.mqtt;

import dev.ferrymq.broker.Broker;
import dev.ferrymq.broker.adapter.ConnectionGate;
import dev.ferrymq.broker.adapter.ResourceAlarms;

/**
 * What every MQTT connection of one listener shares: the settings, the broker, the server's connection limits and
 * alarms, the client-id registry and the retained messages. Everything in it is thread-safe.
 */
record MqttServices(MqttSettings settings, Broker broker, ConnectionGate gate, ResourceAlarms alarms,
                    ClientRegistry clients, RetainedStore retained) {
}
