package dev.ferrymq.cluster.remote;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.PublishBatch;
import dev.ferrymq.broker.Users;
import dev.ferrymq.broker.cluster.NodeEndpoints;
import dev.ferrymq.broker.publish.ForwardedPublish;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * This node's AMQP connection to one virtual host of another node, the home of classic queues this node has
 * proxies of: opened on first use with the internode user and the home's secret ({@link NodeEndpoints}), opened
 * again on the next use after it was lost. It carries forwarded publishes on one channel in confirm mode, whose
 * confirms complete the publishers' batches (so a persistent message is confirmed after the home node's fsync, as
 * if published there), queries (counts, purge) on another, and gives each remote consumer a channel of its own.
 * Losing the connection nacks the forwarded publishes still unconfirmed and tells the listeners (the consumers).
 * Thread-safe: the connection and the two channels are guarded by this object.
 */
final class HomeLink {
    private static final Logger log = LoggerFactory.getLogger(HomeLink.class);
    private static final int CONNECT_TIMEOUT_MILLIS = 2_000;
    private static final int HEARTBEAT_SECONDS = 10;
    /** After a failed connect, uses fail at once for this long (publishes to a node that is down must not queue up). */
    private static final long RECONNECT_PAUSE_MILLIS = 1_000;

    /** What a query does on the channel; IOException when the home refuses it or the connection fails. */
    interface ChannelCall<T> {
        T call(Channel channel) throws IOException;
    }

    private final String localNode;
    private final String homeNode;
    private final String vhost;
    private final Supplier<NodeEndpoints.Endpoint> endpoint;
    private final ExecutorService deliveries;
    private final List<Runnable> lostListeners = new CopyOnWriteArrayList<>();
    private final NavigableMap<Long, PublishBatch> unconfirmed = new ConcurrentSkipListMap<>();
    private Connection connection;
    private Channel forwarding;
    private Channel queries;
    private long failedAt; // when the last connect failed, epoch milliseconds

    HomeLink(String localNode, String homeNode, String vhost, Supplier<NodeEndpoints.Endpoint> endpoint,
             ExecutorService deliveries) {
        this.localNode = localNode;
        this.homeNode = homeNode;
        this.vhost = vhost;
        this.endpoint = endpoint;
        this.deliveries = deliveries;
    }

    String homeNode() {
        return homeNode;
    }

    /** Runs {@code listener} (on the client's thread) each time the connection is lost. */
    void onLost(Runnable listener) {
        lostListeners.add(listener);
    }

    void removeOnLost(Runnable listener) {
        lostListeners.remove(listener);
    }

    /**
     * Forwards a message the publishing node routed to {@code queue}; {@code batch} (may be null) is told when
     * the home node confirms or nacks it. Returns false when the home node cannot be reached.
     */
    synchronized boolean forward(String queue, Message message, PublishBatch batch) {
        long seq = -1;
        try {
            if (forwarding == null || !forwarding.isOpen()) {
                failUnconfirmed(); // they were the closed channel's: its sequence numbers start again
                forwarding = connection().createChannel();
                forwarding.confirmSelect();
                forwarding.addConfirmListener((tag, multiple) -> confirmed(tag, multiple, true),
                        (tag, multiple) -> confirmed(tag, multiple, false));
            }
            seq = forwarding.getNextPublishSeqNo();
            if (batch != null) {
                batch.replicationStarted();
                unconfirmed.put(seq, batch);
            }
            forwarding.basicPublish(ForwardedPublish.EXCHANGE, queue, false, forwardedProperties(message),
                    message.body());
            return true;
        } catch (IOException | RuntimeException e) {
            PublishBatch lost = unconfirmed.remove(seq);
            if (lost != null) {
                lost.replicated(false);
            }
            log.debug("forwarding to {} on {} failed", queue, homeNode, e);
            return false;
        }
    }

    private static AMQP.BasicProperties forwardedProperties(Message message) {
        AMQP.BasicProperties properties = PropertiesBytes.decode(message.properties());
        Map<String, Object> headers = properties.getHeaders() == null ? new HashMap<>()
                : new HashMap<>(properties.getHeaders());
        headers.put(ForwardedPublish.HEADER, List.of(message.exchange(), message.routingKey()));
        return properties.builder().headers(headers).build();
    }

    private void confirmed(long tag, boolean multiple, boolean ack) {
        Map<Long, PublishBatch> settled = multiple ? unconfirmed.headMap(tag, true) : unconfirmed.subMap(tag, true,
                tag, true);
        for (Long seq : List.copyOf(settled.keySet())) {
            PublishBatch batch = unconfirmed.remove(seq);
            if (batch != null) {
                batch.replicated(ack);
            }
        }
    }

    /** Runs {@code call} on the query channel; the home node's refusal comes back as it gave it. */
    synchronized <T> T query(String queueDescription, ChannelCall<T> call) {
        try {
            if (queries == null || !queries.isOpen()) {
                queries = connection().createChannel();
            }
            return call.call(queries);
        } catch (IOException | ShutdownSignalException e) {
            throw refusal(e, queueDescription);
        }
    }

    /** A channel of its own (a consumer's, or basic.get's). */
    synchronized Channel newChannel(String queueDescription) {
        try {
            return connection().createChannel();
        } catch (IOException e) {
            throw refusal(e, queueDescription);
        }
    }

    /**
     * What the home node answered (a channel close: its code and text), or, when the connection failed,
     * RabbitMQ's 404 for a queue whose home node is down.
     */
    BrokerException refusal(Exception failure, String queueDescription) {
        ShutdownSignalException shutdown = failure instanceof ShutdownSignalException s ? s
                : failure.getCause() instanceof ShutdownSignalException s ? s : null;
        if (shutdown != null && !shutdown.isHardError() && shutdown.getReason() instanceof AMQP.Channel.Close close) {
            return BrokerException.withCode(close.getReplyCode(), close.getReplyText());
        }
        return down(queueDescription);
    }

    BrokerException down(String queueDescription) {
        return BrokerException.notFound("home node '" + homeNode + "' of " + queueDescription
                + " is down or inaccessible");
    }

    private Connection connection() throws IOException {
        if (connection != null && connection.isOpen()) {
            return connection;
        }
        if (System.currentTimeMillis() - failedAt < RECONNECT_PAUSE_MILLIS) {
            throw new IOException("node " + homeNode + " did not answer a moment ago");
        }
        NodeEndpoints.Endpoint home = endpoint.get();
        if (home == null) {
            throw new IOException("node " + homeNode + " has not announced its AMQP listener");
        }
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(home.host());
        factory.setPort(home.port());
        factory.setVirtualHost(vhost);
        factory.setUsername(Users.INTERNODE);
        factory.setPassword(home.secret());
        factory.setAutomaticRecoveryEnabled(false);
        factory.setConnectionTimeout(CONNECT_TIMEOUT_MILLIS);
        factory.setHandshakeTimeout(CONNECT_TIMEOUT_MILLIS * 2);
        factory.setRequestedHeartbeat(HEARTBEAT_SECONDS);
        factory.setSharedExecutor(deliveries);
        factory.setClientProperties(Map.of("connection_name", "ferrymq-internode from " + localNode));
        try {
            Connection opened = factory.newConnection("ferrymq-internode from " + localNode);
            opened.addShutdownListener(cause -> lost(opened));
            connection = opened;
            forwarding = null;
            queries = null;
            log.info("connected to node {} (vhost '{}') for the classic queues homed there", homeNode, vhost);
            return opened;
        } catch (IOException | TimeoutException e) {
            failedAt = System.currentTimeMillis();
            throw new IOException("connecting to node " + homeNode + " failed", e);
        }
    }

    /** The connection went: nack what was not confirmed, tell the consumers. On the client's thread. */
    private void lost(Connection lostConnection) {
        synchronized (this) {
            if (connection != lostConnection) {
                return;
            }
            connection = null;
        }
        log.info("lost the connection to node {} (vhost '{}')", homeNode, vhost);
        failUnconfirmed();
        lostListeners.forEach(Runnable::run);
    }

    private void failUnconfirmed() {
        for (Long seq : List.copyOf(unconfirmed.keySet())) {
            PublishBatch batch = unconfirmed.remove(seq);
            if (batch != null) {
                batch.replicated(false);
            }
        }
    }

    synchronized void close() {
        if (connection != null && connection.isOpen()) {
            connection.abort(1_000);
        }
    }
}
