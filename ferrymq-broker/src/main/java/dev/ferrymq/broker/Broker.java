package dev.ferrymq.broker;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The broker's domain root: virtual hosts and users. Thread-safe. */
public final class Broker {
    public static final String DEFAULT_VHOST = "/";

    private final Map<String, VirtualHost> vhosts = new ConcurrentHashMap<>();
    private final Users users = new Users();

    /** A broker with the default virtual host "/" and the user guest/guest, allowed from loopback only. */
    public static Broker withDefaults() {
        Broker broker = new Broker();
        broker.addVirtualHost(DEFAULT_VHOST);
        broker.users().add("guest", "guest", true);
        return broker;
    }

    public VirtualHost addVirtualHost(String name) {
        return vhosts.computeIfAbsent(name, VirtualHost::new);
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
}
