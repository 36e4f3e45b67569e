package dev.ferrymq.server.amqp;

import dev.ferrymq.broker.Broker;
import dev.ferrymq.server.auth.LoginThrottle;
import dev.ferrymq.server.config.ServerConfig;
import dev.ferrymq.server.alarm.Alarms;

/**
 * What an AMQP connection needs from the running server, handed to each connection so that it does not know the
 * server object. Immutable; every part is thread-safe.
 *
 * @param connections the registry of open connections (for the management API and shutdown)
 */
public record AmqpServices(ServerConfig config, Broker broker, ConnectionLimits limits, LoginThrottle loginThrottle,
                           Alarms alarms, AmqpConnections connections) {
}
