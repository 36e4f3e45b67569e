package dev.ferrymq.broker;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * RabbitMQ's topic permissions: per user, vhost and exchange, a {@code write} and a {@code read} regular expression
 * on routing keys, checked only for exchanges of type topic (publish → write on the routing key, binding from the
 * exchange → read on the binding key). A user without a topic permission for an exchange may use every key; an
 * empty expression permits only the empty key (RabbitMQ reads it as {@code ^$}). {@code {username}} and
 * {@code {vhost}} in an expression are replaced, verbatim, by the user's and vhost's names before it is compiled;
 * both are fixed for a (user, vhost) pair, so each expression is compiled once, when it is set.
 *
 * <p>This class only holds the table; {@link Broker} records changes in the definitions log. Thread-safe: the
 * table is replaced copy-on-write per (user, vhost), and {@link #version()} moves on every change, so a channel
 * may cache what it looked up until the version changes.
 */
public final class TopicPermissions {

    /** One user's topic permission on one exchange of one vhost, with its expanded expressions compiled. */
    public static final class TopicPermission {
        private final String user;
        private final String vhost;
        private final String exchange;
        private final String write;
        private final String read;
        private final Pattern writePattern;
        private final Pattern readPattern;

        TopicPermission(String user, String vhost, String exchange, String write, String read) {
            this.user = user;
            this.vhost = vhost;
            this.exchange = exchange;
            this.write = write;
            this.read = read;
            this.writePattern = compile(write, user, vhost);
            this.readPattern = compile(read, user, vhost);
        }

        private static Pattern compile(String regex, String user, String vhost) {
            String expanded = regex.isEmpty() ? "^$" : regex.replace("{username}", user).replace("{vhost}", vhost);
            try {
                return Pattern.compile(expanded);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("invalid topic permission regex '" + regex + "': "
                        + e.getDescription(), e);
            }
        }

        /** Whether {@code routingKey} may be published to the exchange (unanchored match, as Erlang's re:run). */
        public boolean permitsWrite(String routingKey) {
            return writePattern.matcher(routingKey).find();
        }

        /** Whether a binding with {@code bindingKey} may be made from (or removed from) the exchange. */
        public boolean permitsRead(String bindingKey) {
            return readPattern.matcher(bindingKey).find();
        }

        public String user() {
            return user;
        }

        public String vhost() {
            return vhost;
        }

        public String exchange() {
            return exchange;
        }

        public String write() {
            return write;
        }

        public String read() {
            return read;
        }
    }

    private record UserVhost(String user, String vhost) {
    }

    /** Per (user, vhost), an immutable map from exchange name to permission; replaced, never changed in place. */
    private final Map<UserVhost, Map<String, TopicPermission>> table = new ConcurrentHashMap<>();
    private volatile long version;

    /**
     * Sets (replaces) a user's topic permission on an exchange of a vhost. Throws IllegalArgumentException for an
     * invalid regular expression.
     */
    public synchronized TopicPermission set(String user, String vhost, String exchange, String write, String read) {
        TopicPermission permission = new TopicPermission(user, vhost, exchange, write, read);
        table.compute(new UserVhost(user, vhost), (k, old) -> {
            Map<String, TopicPermission> updated = old == null ? new HashMap<>() : new HashMap<>(old);
            updated.put(exchange, permission);
            return Map.copyOf(updated);
        });
        version++;
        return permission;
    }

    /** Removes the user's topic permission on one exchange; false if there was none. */
    public synchronized boolean clear(String user, String vhost, String exchange) {
        UserVhost key = new UserVhost(user, vhost);
        Map<String, TopicPermission> old = table.get(key);
        if (old == null || !old.containsKey(exchange)) {
            return false;
        }
        Map<String, TopicPermission> updated = new HashMap<>(old);
        updated.remove(exchange);
        if (updated.isEmpty()) {
            table.remove(key);
        } else {
            table.put(key, Map.copyOf(updated));
        }
        version++;
        return true;
    }

    /** Removes all the user's topic permissions in the vhost and returns the exchanges they were on. */
    public synchronized List<String> clearAll(String user, String vhost) {
        Map<String, TopicPermission> removed = table.remove(new UserVhost(user, vhost));
        version++;
        return removed == null ? List.of() : List.copyOf(removed.keySet());
    }

    /** The user's topic permissions in the vhost by exchange name (immutable; empty when there are none). */
    public Map<String, TopicPermission> of(String user, String vhost) {
        return table.getOrDefault(new UserVhost(user, vhost), Map.of());
    }

    public synchronized void removeUser(String user) {
        table.keySet().removeIf(k -> k.user().equals(user));
        version++;
    }

    public synchronized void removeVhost(String vhost) {
        table.keySet().removeIf(k -> k.vhost().equals(vhost));
        version++;
    }

    /** Changes on every update of the table: a cached {@link #of} result is current while this is unchanged. */
    public long version() {
        return version;
    }

    /** Every topic permission, sorted by vhost, user, then exchange. */
    public List<TopicPermission> all() {
        List<TopicPermission> all = new ArrayList<>();
        table.values().forEach(byExchange -> all.addAll(byExchange.values()));
        all.sort(Comparator.comparing(TopicPermission::vhost).thenComparing(TopicPermission::user)
                .thenComparing(TopicPermission::exchange));
        return all;
    }

    /**
     * Throws 403 ACCESS_REFUSED, worded as RabbitMQ does, unless the permission (null: none, everything allowed)
     * permits the key for writing ({@code write} true) or reading.
     */
    public static void check(TopicPermission permission, boolean write, String key) {
        if (permission != null && !(write ? permission.permitsWrite(key) : permission.permitsRead(key))) {
            throw BrokerException.accessRefused("access to topic '" + key + "' in exchange '" + permission.exchange()
                    + "' in vhost '" + permission.vhost() + "' refused for user '" + permission.user() + "'");
        }
    }
}
