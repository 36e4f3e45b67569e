package dev.ferrymq.server.amqp;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The open AMQP connections of a server (including those still in the handshake), and what the rest of the
 * server may do with them: snapshots for the management API, forced closes, alarm notifications, counts. The
 * connections themselves stay private to this package. Thread-safe: each call onto a connection runs on, or is
 * handed to, that connection's event loop.
 */
public final class AmqpConnections {
    private static final Logger log = LoggerFactory.getLogger(AmqpConnections.class);

    private final Set<AmqpConnection> open = ConcurrentHashMap.newKeySet();

    void register(AmqpConnection connection) {
        open.add(connection);
    }

    void unregister(AmqpConnection connection) {
        open.remove(connection);
    }

    /**
     * Snapshots of the open connections, each taken on its own event loop (a connection that does not answer
     * within a second is left out), sorted by name.
     */
    public List<ConnectionInfo> snapshots() {
        List<ConnectionInfo> infos = new ArrayList<>();
        for (AmqpConnection connection : List.copyOf(open)) {
            try {
                infos.add(connection.executor().submit(connection::info).get(1, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception e) {
                log.debug("no snapshot of connection: {}", e.toString());
            }
        }
        infos.sort((a, b) -> a.name().compareTo(b.name()));
        return infos;
    }

    /** Closes the named connection with 320 CONNECTION_FORCED; false if there is none of that name. */
    public boolean close(String name, String reason) {
        for (AmqpConnection connection : List.copyOf(open)) {
            if (connection.started() && connection.rabbitName().equals(name)) {
                connection.forceClose(reason);
                return true;
            }
        }
        return false;
    }

    /** A deleted vhost takes its connections with it (320 CONNECTION_FORCED, as RabbitMQ does). */
    public void closeAllTo(String vhost) {
        for (AmqpConnection connection : List.copyOf(open)) {
            if (connection.vhost() != null && connection.vhost().name().equals(vhost)) {
                connection.forceClose("vhost '" + vhost + "' is deleted");
            }
        }
    }

    /** Closes every connection with 320 CONNECTION_FORCED and waits up to {@code waitMillis} for them to go. */
    public void closeAll(String reason, long waitMillis) {
        for (AmqpConnection connection : List.copyOf(open)) {
            connection.forceClose(reason);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        while (!open.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    /** The resource alarms cleared: blocked connections resume. */
    public void alarmsCleared() {
        open.forEach(AmqpConnection::alarmsCleared);
    }

    /** Connections currently blocked by a resource alarm. */
    public int blockedCount() {
        int blocked = 0;
        for (AmqpConnection connection : open) {
            blocked += connection.blockedByAlarm() ? 1 : 0;
        }
        return blocked;
    }

    /** Open sockets, including those still in the handshake. */
    public int count() {
        return open.size();
    }

    /** Bytes queued in Netty for all client sockets but not yet written (bounded by per-socket back-pressure). */
    public long outboundBufferedBytes() {
        long total = 0;
        for (AmqpConnection connection : open) {
            total += connection.outboundBufferedBytes();
        }
        return total;
    }
}
