package dev.ferrymq.broker;

import dev.ferrymq.broker.cluster.NodeEndpoints;
import dev.ferrymq.broker.metadata.MetadataCommand;
import dev.ferrymq.broker.metadata.MetadataReplication;
import dev.ferrymq.broker.persistence.Definition;
import dev.ferrymq.broker.persistence.Persistence;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.queue.RemoteQueues;
import dev.ferrymq.store.StoreConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The broker's domain root: virtual hosts, users and permissions, and the store behind them. Changes to users,
 * vhosts, permissions and topic permissions made through this class are recorded in the definitions log, so they
 * survive restarts. Thread-safe: access-control changes synchronize on the broker; lookups read concurrent maps.
 */
public final class Broker implements AutoCloseable {
    public static final String DEFAULT_VHOST = "/";
    public static final String DEFAULT_USER = "guest";
    public static final String ALL = ".*";

    private final Persistence persistence;
    private final Map<String, VirtualHost> vhosts = new ConcurrentHashMap<>();
    private final Users users = new Users();
    private final Permissions permissions = new Permissions();
    private final TopicPermissions topicPermissions = new TopicPermissions();
    private final MessageCounters counters = new MessageCounters();
    private final List<Consumer<String>> vhostDeletedListeners = new CopyOnWriteArrayList<>();
    private volatile PropertiesCodec propertiesCodec = PropertiesCodec.OPAQUE;
    private final MetadataGate gate = new MetadataGate();
    private final NodeEndpoints nodeEndpoints = new NodeEndpoints();

    private Broker(Persistence persistence) {
        this.persistence = persistence;
    }

    /**
     * An in-memory broker (nothing survives it) with vhost "/" and guest/guest, an administrator with full
     * permissions on "/", allowed from loopback only.
     */
    public static Broker withDefaults() {
        Broker broker = new Broker(null);
        broker.addDefaults();
        return broker;
    }

    /**
     * A broker keeping durable entities, persistent messages, users, vhosts and permissions under
     * {@code dataDir}, recovered from there if they exist (a fresh directory gets the defaults of
     * {@link #withDefaults()}).
     */
    public static Broker open(Path dataDir, StoreConfig storeConfig) throws IOException {
        return open(dataDir, storeConfig, Persistence.defaultPagingBudget());
    }

    /**
     * Like {@link #open(Path, StoreConfig)}, paging ready messages out to disk once their bodies on the heap
     * pass {@code pagingBudget} bytes in all.
     */
    public static Broker open(Path dataDir, StoreConfig storeConfig, long pagingBudget) throws IOException {
        return open(dataDir, storeConfig, pagingBudget, PropertiesCodec.OPAQUE);
    }

    /**
     * Like {@link #open(Path, StoreConfig, long)}, with the transport's properties codec in place before recovery
     * (recovered messages may expire and be dead-lettered at once).
     */
    public static Broker open(Path dataDir, StoreConfig storeConfig, long pagingBudget, PropertiesCodec codec)
            throws IOException {
        Persistence persistence = Persistence.open(dataDir, storeConfig, pagingBudget);
        try {
            Broker broker = new Broker(persistence);
            broker.usePropertiesCodec(codec);
            new Recovery(broker, persistence).run();
            return broker;
        } catch (IOException | RuntimeException e) {
            persistence.close();
            throw e;
        }
    }

    /** RabbitMQ's first-start defaults: vhost "/", user guest/guest (administrator) with all permissions on it. */
    void addDefaults() {
        addVirtualHost(DEFAULT_VHOST);
        putUser(DEFAULT_USER, Users.hashPassword("guest"), List.of(Users.ADMINISTRATOR));
        setPermissions(DEFAULT_USER, DEFAULT_VHOST, ALL, ALL, ALL);
    }

    // ---------------------------------------------------------------- virtual hosts

    /** Adds a virtual host if it does not exist yet, and returns it. */
    public VirtualHost addVirtualHost(String name) {
        if (gate.proposes() && !vhosts.containsKey(name)) {
            gate.propose(new MetadataCommand.AddVhost(name));
            return vhosts.get(name);
        }
        return addVirtualHostHere(name);
    }

    private synchronized VirtualHost addVirtualHostHere(String name) {
        VirtualHost existing = vhosts.get(name);
        if (existing != null) {
            return existing;
        }
        VirtualHost created = new VirtualHost(name, persistence, counters);
        created.useMetadataGate(gate);
        created.usePropertiesCodec(propertiesCodec);
        vhosts.put(name, created);
        record(new Definition.VhostAdded(name));
        return created;
    }

    /**
     * Deletes a virtual host with all its queues (and their messages), exchanges and permissions, then tells the
     * listeners (the server closes the connections to it). Returns false if it did not exist.
     */
    public boolean deleteVirtualHost(String name) {
        if (gate.proposes()) {
            return Boolean.TRUE.equals(gate.propose(new MetadataCommand.DeleteVhost(name)));
        }
        return deleteVirtualHostHere(name);
    }

    private boolean deleteVirtualHostHere(String name) {
        VirtualHost vhost;
        synchronized (this) {
            vhost = vhosts.remove(name);
            if (vhost == null) {
                return false;
            }
            permissions.removeVhost(name);
            topicPermissions.removeVhost(name);
            record(new Definition.VhostDeleted(name));
        }
        for (Queue queue : List.copyOf(vhost.queues())) {
            vhost.deleteQueue(queue.name(), false, false, queue.owner());
        }
        for (Exchange exchange : List.copyOf(vhost.exchanges())) {
            if (!exchange.name().startsWith("amq.")) {
                vhost.deleteExchange(exchange.name(), false);
            }
        }
        vhostDeletedListeners.forEach(listener -> listener.accept(name));
        return true;
    }

    /** The transport's message-properties codec, for priority queues and dead-lettering (set before use). */
    public void usePropertiesCodec(PropertiesCodec codec) {
        propertiesCodec = codec;
        vhosts.values().forEach(vhost -> vhost.usePropertiesCodec(codec));
    }

    /** Registers a callback run with the name of each deleted virtual host. */
    public void onVirtualHostDeleted(Consumer<String> listener) {
        vhostDeletedListeners.add(listener);
    }

    /** The virtual host of that name, or null. */
    public VirtualHost virtualHost(String name) {
        return vhosts.get(name);
    }

    public Collection<VirtualHost> virtualHosts() {
        List<VirtualHost> all = new ArrayList<>(vhosts.values());
        all.sort((a, b) -> a.name().compareTo(b.name()));
        return all;
    }

    // ---------------------------------------------------------------- users and permissions

    public Users users() {
        return users;
    }

    public Permissions permissions() {
        return permissions;
    }

    /** Adds or replaces a user. */
    public Users.User putUser(String name, byte[] passwordHash, List<String> tags) {
        if (gate.proposes()) {
            gate.propose(new MetadataCommand.PutUser(name, passwordHash, List.copyOf(tags)));
            return users.get(name);
        }
        return putUserHere(name, passwordHash, tags);
    }

    private synchronized Users.User putUserHere(String name, byte[] passwordHash, List<String> tags) {
        Users.User user = users.put(name, passwordHash, tags);
        record(new Definition.UserPut(name, passwordHash, user.tags()));
        return user;
    }

    public TopicPermissions topicPermissions() {
        return topicPermissions;
    }

    /** Deletes a user and its permissions and topic permissions; false if there was no such user. */
    public boolean deleteUser(String name) {
        if (gate.proposes()) {
            return Boolean.TRUE.equals(gate.propose(new MetadataCommand.DeleteUser(name)));
        }
        return deleteUserHere(name);
    }

    private synchronized boolean deleteUserHere(String name) {
        if (!users.remove(name)) {
            return false;
        }
        permissions.removeUser(name);
        topicPermissions.removeUser(name);
        record(new Definition.UserDeleted(name));
        return true;
    }

    /**
     * Sets a user's configure/write/read expressions in a vhost. Throws IllegalArgumentException for an unknown
     * user or vhost or an invalid regular expression.
     */
    public Permissions.Permission setPermissions(String user, String vhost, String configure, String write,
                                                 String read) {
        if (gate.proposes()) {
            gate.propose(new MetadataCommand.SetPermissions(user, vhost, configure, write, read));
            return permissions.get(user, vhost);
        }
        return setPermissionsHere(user, vhost, configure, write, read);
    }

    private synchronized Permissions.Permission setPermissionsHere(String user, String vhost, String configure,
                                                                   String write, String read) {
        requireUserAndVhost(user, vhost);
        Permissions.Permission permission = permissions.set(user, vhost, configure, write, read);
        record(new Definition.PermissionSet(vhost, user, configure, write, read));
        return permission;
    }

    private void requireUserAndVhost(String user, String vhost) {
        if (users.get(user) == null) {
            throw new IllegalArgumentException("no user '" + user + "'");
        }
        if (!vhosts.containsKey(vhost)) {
            throw new IllegalArgumentException("no vhost '" + vhost + "'");
        }
    }

    public boolean clearPermissions(String user, String vhost) {
        if (gate.proposes()) {
            return Boolean.TRUE.equals(gate.propose(new MetadataCommand.ClearPermissions(user, vhost)));
        }
        return clearPermissionsHere(user, vhost);
    }

    private synchronized boolean clearPermissionsHere(String user, String vhost) {
        if (!permissions.clear(user, vhost)) {
            return false;
        }
        record(new Definition.PermissionCleared(vhost, user));
        return true;
    }

    /**
     * Sets a user's topic permission on an exchange (which need not exist) of a vhost. Throws
     * IllegalArgumentException for an unknown user or vhost or an invalid regular expression.
     */
    public TopicPermissions.TopicPermission setTopicPermission(String user, String vhost, String exchange,
                                                               String write, String read) {
        if (gate.proposes()) {
            gate.propose(new MetadataCommand.SetTopicPermission(user, vhost, exchange, write, read));
            return topicPermissions.of(user, vhost).get(exchange);
        }
        return setTopicPermissionHere(user, vhost, exchange, write, read);
    }

    private synchronized TopicPermissions.TopicPermission setTopicPermissionHere(String user, String vhost,
                                                                                String exchange, String write,
                                                                                String read) {
        requireUserAndVhost(user, vhost);
        TopicPermissions.TopicPermission permission = topicPermissions.set(user, vhost, exchange, write, read);
        record(new Definition.TopicPermissionSet(vhost, user, exchange, write, read));
        return permission;
    }

    /** Removes a user's topic permission on one exchange of a vhost; false if there was none. */
    public boolean clearTopicPermission(String user, String vhost, String exchange) {
        if (gate.proposes()) {
            return Boolean.TRUE.equals(gate.propose(new MetadataCommand.ClearTopicPermission(user, vhost, exchange)));
        }
        return clearTopicPermissionHere(user, vhost, exchange);
    }

    private synchronized boolean clearTopicPermissionHere(String user, String vhost, String exchange) {
        if (!topicPermissions.clear(user, vhost, exchange)) {
            return false;
        }
        record(new Definition.TopicPermissionCleared(vhost, user, exchange));
        return true;
    }

    /** Removes all a user's topic permissions in a vhost; false if there were none. */
    public boolean clearTopicPermissions(String user, String vhost) {
        if (gate.proposes()) {
            return Boolean.TRUE.equals(gate.propose(new MetadataCommand.ClearTopicPermission(user, vhost, null)));
        }
        return clearTopicPermissionsHere(user, vhost);
    }

    private synchronized boolean clearTopicPermissionsHere(String user, String vhost) {
        List<String> exchanges = topicPermissions.clearAll(user, vhost);
        exchanges.forEach(exchange -> record(new Definition.TopicPermissionCleared(vhost, user, exchange)));
        return !exchanges.isEmpty();
    }

    /** The current users, vhosts and permissions as definition records (for compacting the log). */
    synchronized List<Definition> accessControlState() {
        List<Definition> state = new ArrayList<>();
        for (VirtualHost vhost : virtualHosts()) {
            state.add(new Definition.VhostAdded(vhost.name()));
        }
        for (Users.User user : users.all()) {
            state.add(new Definition.UserPut(user.name(), user.passwordHash(), user.tags()));
        }
        for (Permissions.Permission p : permissions.all()) {
            state.add(new Definition.PermissionSet(p.vhost(), p.user(), p.configure(), p.write(), p.read()));
        }
        for (TopicPermissions.TopicPermission p : topicPermissions.all()) {
            state.add(new Definition.TopicPermissionSet(p.vhost(), p.user(), p.exchange(), p.write(), p.read()));
        }
        return state;
    }

    // ---------------------------------------------------------------- replicated metadata

    /**
     * Clustered: from now on, metadata changes made through this broker (vhosts, users, permissions, topic
     * permissions, policies, exchanges, exchange-to-exchange bindings) are replicated through {@code replication}
     * and answered once applied here. A single node never calls this.
     */
    public void replicateMetadataThrough(MetadataReplication replication) {
        gate.use(replication);
    }

    /**
     * Clustered: from now on, classic queues that are not exclusive are declared (and bound and deleted) through
     * the replicated metadata with their home node, and reached on the other nodes through {@code remoteQueues}.
     */
    public void serveRemoteQueuesThrough(RemoteQueues remoteQueues) {
        gate.use(remoteQueues);
    }

    /** Where the cluster's nodes take internode AMQP connections (replicated; empty on a single node). */
    public NodeEndpoints nodeEndpoints() {
        return nodeEndpoints;
    }

    /**
     * Another node restarted: its non-durable classic queues are gone with its memory, so every other node drops
     * them (applied from the metadata log, so the same everywhere; RabbitMQ drops them when the node goes down).
     */
    public void forgetTransientQueuesOf(String node) {
        RemoteQueues remote = gate.remoteQueues();
        if (remote == null || node.equals(remote.localNode())) {
            return;
        }
        for (VirtualHost vhost : virtualHosts()) {
            for (Queue queue : List.copyOf(vhost.queues())) {
                if (!queue.durable() && vhost.isReplicated(queue) && node.equals(remote.homeOf(queue))) {
                    vhost.deleteQueue(queue.name(), false, false, null);
                }
            }
        }
    }

    /** Applies a change the replicated log delivered (on the log's apply thread); returns or throws its answer. */
    public Object applyReplicated(MetadataCommand command) {
        return MetadataGate.applying(command, this);
    }

    // ---------------------------------------------------------------- the rest

    /** Broker-wide message counters (publish, deliver, ack, ...). */
    public MessageCounters counters() {
        return counters;
    }

    /** The store, or null for an in-memory broker. */
    public Persistence persistence() {
        return persistence;
    }

    private void record(Definition definition) {
        if (persistence != null) {
            persistence.record(definition);
        }
    }

    /** Makes everything written so far durable and closes the store. */
    @Override
    public void close() throws IOException {
        if (persistence != null) {
            persistence.close();
        }
    }
}
