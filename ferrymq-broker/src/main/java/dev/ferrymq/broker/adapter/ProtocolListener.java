package dev.ferrymq.broker.adapter;

import java.util.List;

/** A running protocol listener ({@link ProtocolAdapter#start}). Thread-safe. */
public interface ProtocolListener extends AutoCloseable {

    /** The port it is bound to, or -1 when only its TLS port is. */
    int port();

    /** Its TLS port, or -1 without one. */
    int tlsPort();

    /** Snapshots of its open (logged-in) connections, for the management API. */
    List<AdapterConnection> connections();

    /** Closes the connection of that name; false if it has none of that name. */
    boolean closeConnection(String name, String reason);

    /** Stops listening and closes every connection (publishing wills, as an abrupt close would). */
    @Override
    void close();
}
