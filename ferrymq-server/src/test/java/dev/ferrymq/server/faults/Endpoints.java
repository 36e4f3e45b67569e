package dev.ferrymq.server.faults;

import com.rabbitmq.client.ConnectionFactory;

/**
 * Where the workload's clients connect: node {@code i} of {@link #size()}, as a connection factory made now (a
 * restarted single node listens on a new port). A client that loses its node moves on to the next index.
 */
interface Endpoints {
    int size();

    String name(int node);

    /** Node {@code node}, no automatic recovery (the workload reconnects itself). */
    ConnectionFactory factory(int node);

    static ConnectionFactory factory(String host, int port, String user, String password) {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(host);
        factory.setPort(port);
        factory.setUsername(user);
        factory.setPassword(password);
        factory.setAutomaticRecoveryEnabled(false);
        factory.setTopologyRecoveryEnabled(false);
        factory.setConnectionTimeout(3_000);
        factory.setHandshakeTimeout(5_000);
        factory.setShutdownTimeout(1_000);
        factory.setChannelRpcTimeout(20_000);
        // a paused node's connections are given up after two missed heartbeats
        factory.setRequestedHeartbeat(3);
        return factory;
    }
}
