package dev.ferrymq.broker;

import dev.ferrymq.broker.persistence.Persistence;
import dev.ferrymq.store.StoreConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The broker's domain root: virtual hosts and users, and the store behind them. Thread-safe. */
public final class Broker implements AutoCloseable {
    public static final String DEFAULT_VHOST = "/";

    private final Persistence persistence;
    private final Map<String, VirtualHost> vhosts = new ConcurrentHashMap<>();
    private final Users users = new Users();
    private volatile PropertiesCodec propertiesCodec = PropertiesCodec.OPAQUE;

    private Broker(Persistence persistence) {
        this.persistence = persistence;
        users.add("guest", "guest", true);
        addVirtualHost(DEFAULT_VHOST);
    }

    /** An in-memory broker (nothing survives it) with vhost "/" and guest/guest from loopback only. */
    public static Broker withDefaults() {
        return new Broker(null);
    }

    /**
     * A broker keeping durable entities and persistent messages under {@code dataDir}, recovered from there
     * if they exist.
     */
    public static Broker open(Path dataDir, StoreConfig storeConfig) throws IOException {
        return open(dataDir, storeConfig, Persistence.defaultPagingBudget());
    }

    /**
     * Like {@link #open(Path, StoreConfig)}, paging ready messages out to disk once their bodies on the heap
     * pass {@code pagingBudget} bytes in all.
     */
    public static Broker open(Path dataDir, StoreConfig storeConfig, long pagingBudget) throws IOException {
        Persistence persistence = Persistence.open(dataDir, storeConfig, pagingBudget);
        try {
            Broker broker = new Broker(persistence);
            new Recovery(broker, persistence).run();
            return broker;
        } catch (IOException | RuntimeException e) {
            persistence.close();
            throw e;
        }
    }

    public VirtualHost addVirtualHost(String name) {
        return vhosts.computeIfAbsent(name, n -> {
            VirtualHost vhost = new VirtualHost(n, persistence);
            vhost.usePropertiesCodec(propertiesCodec);
            return vhost;
        });
    }

    /** The transport's message-properties codec, for priority queues and dead-lettering (set before use). */
    public void usePropertiesCodec(PropertiesCodec codec) {
        propertiesCodec = codec;
        vhosts.values().forEach(vhost -> vhost.usePropertiesCodec(codec));
    }

    /** The virtual host of that name, or null. */
    public VirtualHost virtualHost(String name) {
        return vhosts.get(name);
    }

    public Collection<VirtualHost> virtualHosts() {
        return vhosts.values();
    }

    public Users users() {
        return users;
    }

    /** The store, or null for an in-memory broker. */
    public Persistence persistence() {
        return persistence;
    }

    /** Makes everything written so far durable and closes the store. */
    @Override
    public void close() throws IOException {
        if (persistence != null) {
            persistence.close();
        }
    }
}
