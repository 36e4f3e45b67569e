package dev.ferrymq.cluster.remote;

import dev.ferrymq.broker.Broker;
import dev.ferrymq.broker.metadata.MetadataCommand;
import dev.ferrymq.broker.metadata.MetadataReplication;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.queue.QueueDeclaration;
import dev.ferrymq.broker.queue.QueueHost;
import dev.ferrymq.broker.queue.RemoteQueues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Classic queues across the cluster, this node's side: each node announces its AMQP listener and internode secret
 * in the replicated metadata ({@link #announce}) and accepts internode logins with that secret; a classic queue
 * declared on another node is a {@link RemoteQueue} here, reaching its home over one {@link HomeLink} per home node
 * and virtual host. The internode client's consumer callbacks run on one small shared pool. Thread-safe.
 */
public final class RemoteClassicQueues implements RemoteQueues, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RemoteClassicQueues.class);
    private static final long ANNOUNCE_RETRY_MILLIS = 2_000;
    private static final long LEADER_POLL_MILLIS = 200;

    private final String nodeName;
    private final Broker broker;
    private final String secret;
    private final Map<List<String>, HomeLink> links = new ConcurrentHashMap<>();
    private final ExecutorService deliveries;
    private final ProxyFile proxyFile;
    private volatile Thread announcer;

    private RemoteClassicQueues(String nodeName, Broker broker, String secret, ProxyFile proxyFile) {
        this.nodeName = nodeName;
        this.broker = broker;
        this.secret = secret;
        this.proxyFile = proxyFile;
        AtomicInteger threads = new AtomicInteger();
        this.deliveries = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "internode-deliveries-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Reads (or creates) this node's internode secret and lets other nodes log in with it, and declares again the
     * proxies this node had when it stopped. Call before the metadata log replays.
     */
    public static RemoteClassicQueues start(String nodeName, Broker broker, Path storageDir) throws IOException {
        String secret = InternodeSecret.loadOrCreate(storageDir);
        broker.users().acceptInternode(secret);
        ProxyFile proxyFile = new ProxyFile(storageDir);
        RemoteClassicQueues queues = new RemoteClassicQueues(nodeName, broker, secret, proxyFile);
        broker.serveRemoteQueuesThrough(queues);
        proxyFile.restore(broker);
        return queues;
    }

    /**
     * After a metadata command (null: a snapshot) was applied: keeps the proxy file current when it may have
     * changed a proxy or a binding to one.
     */
    public void applied(MetadataCommand command) {
        if (command == null || command instanceof MetadataCommand.DeclareQueue
                || command instanceof MetadataCommand.DeleteQueue || command instanceof MetadataCommand.BindQueue
                || command instanceof MetadataCommand.DeleteExchange || command instanceof MetadataCommand.DeleteVhost
                || command instanceof MetadataCommand.SetNodeEndpoint) {
            proxyFile.save(broker);
        }
    }

    /**
     * Puts this node's AMQP address and secret in the replicated metadata, on a thread of its own that waits for
     * a metadata leader (a first start of the seeds has none yet) and retries until the change is committed.
     */
    public void announce(MetadataReplication replication, BooleanSupplier hasLeader, String host, int amqpPort) {
        MetadataCommand command = new MetadataCommand.SetNodeEndpoint(nodeName, host, amqpPort, secret,
                new SecureRandom().nextLong());
        Thread thread = new Thread(() -> {
            try {
                while (true) {
                    if (!hasLeader.getAsBoolean()) {
                        Thread.sleep(LEADER_POLL_MILLIS);
                        continue;
                    }
                    try {
                        replication.replicate(command);
                        log.info("{}: announced AMQP listener {}:{} for internode connections", nodeName, host,
                                amqpPort);
                        return;
                    } catch (RuntimeException e) {
                        log.debug("announcing the AMQP listener failed; retrying", e);
                        Thread.sleep(ANNOUNCE_RETRY_MILLIS);
                    }
                }
            } catch (InterruptedException e) {
                // the node is closing
            }
        }, "internode-announce");
        thread.setDaemon(true);
        announcer = thread;
        thread.start();
    }

    @Override
    public String localNode() {
        return nodeName;
    }

    @Override
    public Queue open(QueueHost host, QueueDeclaration declaration, String homeNode) {
        String vhost = host.vhost().name();
        HomeLink link = links.computeIfAbsent(List.of(homeNode, vhost), key -> new HomeLink(nodeName, homeNode, vhost,
                () -> broker.nodeEndpoints().get(homeNode), deliveries));
        return new RemoteQueue(host, declaration, link);
    }

    @Override
    public String homeOf(Queue queue) {
        return queue instanceof RemoteQueue remote ? remote.homeNode() : nodeName;
    }

    @Override
    public void close() {
        Thread thread = announcer;
        if (thread != null) {
            thread.interrupt();
        }
        links.values().forEach(HomeLink::close);
        deliveries.shutdownNow();
    }
}
