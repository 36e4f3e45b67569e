package dev.ferrymq.broker.cluster;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A cluster node as the settings name it, {@code name@host:port}: its node name and the host and port of its cluster
 * (Raft) listener. A name may itself contain {@code @} ({@code ferrymq@host1@10.0.0.1:7800}): the last {@code @}
 * separates it from the address.
 */
public record NodeAddress(String name, String host, int port) {

    public NodeAddress {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a node needs a name");
        }
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("node " + name + " needs a host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("node " + name + ": port " + port + " is not in 1-65535");
        }
    }

    /** Parses {@code name@host:port}; IllegalArgumentException says what is wrong. */
    public static NodeAddress parse(String text) {
        String value = text.trim();
        int at = value.lastIndexOf('@');
        int colon = value.lastIndexOf(':');
        if (at <= 0 || colon < at + 2 || colon == value.length() - 1) {
            throw new IllegalArgumentException("'" + value + "' is not name@host:port");
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' is not name@host:port (bad port)");
        }
        return new NodeAddress(value.substring(0, at), value.substring(at + 1, colon), port);
    }

    /** Parses a comma-separated list of {@code name@host:port}; names must be distinct. */
    public static List<NodeAddress> parseList(String text) {
        List<NodeAddress> nodes = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (String part : text.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            NodeAddress node = parse(part);
            if (!names.add(node.name())) {
                throw new IllegalArgumentException("node " + node.name() + " is listed twice");
            }
            nodes.add(node);
        }
        return List.copyOf(nodes);
    }

    /** {@code host:port}, the form Raft peers are addressed by. */
    public String address() {
        return host + ":" + port;
    }

    @Override
    public String toString() {
        return name + "@" + address();
    }
}
