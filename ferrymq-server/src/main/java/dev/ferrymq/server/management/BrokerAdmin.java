package dev.ferrymq.server.management;

import dev.ferrymq.broker.Broker;
import dev.ferrymq.broker.adapter.AdapterConnection;
import dev.ferrymq.broker.cluster.Cluster;
import dev.ferrymq.server.amqp.ConnectionInfo;
import dev.ferrymq.server.alarm.Alarms;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the management API needs from the running server beyond the broker: its client connections, alarms, traffic
 * counters and listener addresses. The server implements it, so this package does not depend on the server class.
 */
public interface BrokerAdmin {
    Broker broker();

    /** Snapshots of the open client connections, sorted by name. */
    List<ConnectionInfo> connections();

    /** Snapshots of the protocol-adapter (MQTT) connections. */
    default List<AdapterConnection> adapterConnections() {
        return List.of();
    }

    /** Closes the named connection (AMQP: 320 CONNECTION_FORCED); false if there is none of that name. */
    boolean closeConnection(String name, String reason);

    /** Connections currently blocked by a resource alarm. */
    int blockedConnectionCount();

    /** Bytes received from AMQP clients since start. */
    long bytesReceived();

    /** Bytes sent to AMQP clients since start. */
    long bytesSent();

    Alarms alarms();

    /** This node's name ({@code node-name}). */
    String nodeName();

    /** The cluster this node is a member of; empty for a single node. */
    Optional<Cluster> cluster();

    /** The address the listeners bind to. */
    String bindAddress();

    /** The AMQP listener's port. */
    int amqpPort();

    /** Where the broker keeps its files (free disk space is measured there). */
    Path dataDir();
}
