package dev.ferrymq.broker;

import dev.ferrymq.broker.publish.ForwardedPublish;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Per-user, per-vhost permissions: three regular expressions matched against resource names, as RabbitMQ's
 * internal authorization backend does. A name is permitted when the expression matches anywhere in it
 * (unanchored, like Erlang's {@code re:run}); an empty expression permits nothing. This class only holds the
 * table; {@link Broker} records changes in the definitions log. Thread-safe.
 */
public final class Permissions {

    /** The three kinds of access RabbitMQ distinguishes. */
    public enum Access { CONFIGURE, WRITE, READ }

    /** One user's permissions in one vhost, with its expressions compiled once. */
    public static final class Permission {
        private final String user;
        private final String vhost;
        private final String configure;
        private final String write;
        private final String read;
        private final Pattern[] patterns;

        public Permission(String user, String vhost, String configure, String write, String read) {
            this.user = user;
            this.vhost = vhost;
            this.configure = configure;
            this.write = write;
            this.read = read;
            this.patterns = new Pattern[] {compile(configure), compile(write), compile(read)};
        }

        private static Pattern compile(String regex) {
            try {
                return regex.isEmpty() ? null : Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("invalid permission regex '" + regex + "': "
                        + e.getDescription(), e);
            }
        }

        public boolean permits(Access access, String resourceName) {
            Pattern pattern = patterns[access.ordinal()];
            return pattern != null && pattern.matcher(resourceName).find();
        }

        public String user() {
            return user;
        }

        public String vhost() {
            return vhost;
        }

        public String configure() {
            return configure;
        }

        public String write() {
            return write;
        }

        public String read() {
            return read;
        }
    }

    private record Key(String user, String vhost) {
    }

    private final Map<Key, Permission> permissions = new ConcurrentHashMap<>();
    private final Map<String, Permission> internode = new ConcurrentHashMap<>();

    /** Sets (replaces) a user's permissions in a vhost; throws IllegalArgumentException for a bad regex. */
    public Permission set(String user, String vhost, String configure, String write, String read) {
        Permission permission = new Permission(user, vhost, configure, write, read);
        permissions.put(new Key(user, vhost), permission);
        return permission;
    }

    public boolean clear(String user, String vhost) {
        return permissions.remove(new Key(user, vhost)) != null;
    }

    /** The user's permissions in the vhost, or null when the user has no access to it. */
    public Permission get(String user, String vhost) {
        if (Users.INTERNODE.equals(user)) { // another cluster node (Users#INTERNODE): everything, everywhere
            return internode.computeIfAbsent(vhost, v -> new Permission(user, v, ".*", ".*", ".*"));
        }
        return permissions.get(new Key(user, vhost));
    }

    public void removeUser(String user) {
        permissions.keySet().removeIf(k -> k.user().equals(user));
    }

    public void removeVhost(String vhost) {
        permissions.keySet().removeIf(k -> k.vhost().equals(vhost));
    }

    /** Every permission, sorted by vhost then user. */
    public List<Permission> all() {
        List<Permission> all = new ArrayList<>(permissions.values());
        all.sort(Comparator.comparing(Permission::vhost).thenComparing(Permission::user));
        return all;
    }

    /**
     * Throws 403 ACCESS_REFUSED, worded as RabbitMQ does, unless {@code user} has {@code access} to the resource.
     *
     * @param kind "queue" or "exchange"
     */
    public void check(String user, String vhost, Access access, String kind, String name) {
        Permission permission = get(user, vhost);
        boolean internodeOnly = kind.equals("exchange") && name.equals(ForwardedPublish.EXCHANGE)
                && !user.equals(Users.INTERNODE);
        if (permission == null || internodeOnly || !permission.permits(access, name)) {
            throw BrokerException.accessRefused(access.name().toLowerCase() + " access to " + kind + " '" + name
                    + "' in vhost '" + vhost + "' refused for user '" + user + "'");
        }
    }
}
