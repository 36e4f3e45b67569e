package dev.ferrymq.broker;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The user table. Passwords are kept as RabbitMQ does with {@code rabbit_password_hashing_sha256}: a random
 * 4-byte salt followed by SHA-256(salt + password), never in clear (hashes imported from RabbitMQ with
 * {@code rabbit_password_hashing_sha512} are accepted too, told apart by their length). This class only holds
 * the table; {@link Broker} records changes in the definitions log. Thread-safe.
 */
public final class Users {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int SALT_LENGTH = 4;
    public static final String ADMINISTRATOR = "administrator";
    public static final String MONITORING = "monitoring";
    public static final String POLICYMAKER = "policymaker";
    public static final String MANAGEMENT = "management";
    /**
     * The user other cluster nodes log in as to reach the classic queues homed on this node. It is no entry of
     * the user table (not listed, not replicated, not exported) and logs in only with this node's internode secret
     * ({@link #acceptInternode}); it has every permission on every vhost.
     */
    public static final String INTERNODE = "ferrymq-internode";

    /**
     * @param passwordHash salt + digest, or empty for a user who cannot log in with a password
     * @param tags         RabbitMQ user tags: administrator, monitoring, policymaker, management, or any other
     * @param loopbackOnly the user may only connect from a loopback address (RabbitMQ's loopback_users)
     */
    public record User(String name, byte[] passwordHash, List<String> tags, boolean loopbackOnly) {
        public User {
            tags = List.copyOf(tags);
        }

        public boolean hasTag(String tag) {
            return tags.contains(tag);
        }

        /** Administrators see and change everything in the management API. */
        public boolean isAdministrator() {
            return hasTag(ADMINISTRATOR);
        }

        /** Monitoring (and administrator) users may see every vhost, connection and channel. */
        public boolean canMonitor() {
            return isAdministrator() || hasTag(MONITORING);
        }

        /** Any of the management tags grants access to the management API. */
        public boolean canUseManagement() {
            return canMonitor() || hasTag(POLICYMAKER) || hasTag(MANAGEMENT);
        }
    }

    private final Map<String, User> users = new ConcurrentHashMap<>();
    private final Set<String> loopbackUsers;
    private volatile byte[] internodeSecret;

    /** @param loopbackUsers names of users allowed to connect only from loopback (RabbitMQ default: guest) */
    public Users(Set<String> loopbackUsers) {
        this.loopbackUsers = Set.copyOf(loopbackUsers);
    }

    public Users() {
        this(Set.of("guest"));
    }

    /** Adds or replaces a user with a fresh salted hash of {@code password} and no tags. */
    public void add(String name, String password, boolean loopbackOnly) {
        users.put(name, new User(name, hashPassword(password), List.of(), loopbackOnly));
    }

    /** Adds or replaces a user with an already hashed password. */
    public User put(String name, byte[] passwordHash, List<String> tags) {
        User user = new User(name, passwordHash.clone(), tags, loopbackUsers.contains(name));
        users.put(name, user);
        return user;
    }

    public boolean remove(String name) {
        return users.remove(name) != null;
    }

    /** The user of that name, or null. */
    public User get(String name) {
        return users.get(name);
    }

    public Collection<User> all() {
        List<User> all = new ArrayList<>(users.values());
        all.sort((a, b) -> a.name().compareTo(b.name()));
        return all;
    }

    /** The user of that name, or null; for logins proven otherwise (a client certificate, SASL EXTERNAL). */
    public User user(String name) {
        return users.get(name);
    }

    /** Clustered: {@link #INTERNODE} may log in with {@code secret}. */
    public void acceptInternode(String secret) {
        internodeSecret = secret.getBytes(StandardCharsets.UTF_8);
    }

    /** The user if the password matches, else null. */
    public User authenticate(String name, String password) {
        if (INTERNODE.equals(name)) {
            byte[] secret = internodeSecret;
            return secret != null && password != null
                    && MessageDigest.isEqual(secret, password.getBytes(StandardCharsets.UTF_8))
                    ? new User(INTERNODE, new byte[0], List.of(ADMINISTRATOR), false) : null;
        }
        User user = users.get(name);
        if (user == null || password == null) {
            return null;
        }
        byte[] stored = user.passwordHash();
        String algorithm = switch (stored.length) {
            case SALT_LENGTH + 32 -> "SHA-256";
            case SALT_LENGTH + 64 -> "SHA-512";
            default -> null; // no password set: password login impossible
        };
        if (algorithm == null) {
            return null;
        }
        byte[] salt = Arrays.copyOf(stored, SALT_LENGTH);
        return MessageDigest.isEqual(stored, saltedHash(algorithm, salt, password)) ? user : null;
    }

    /** A new random salt followed by SHA-256(salt + password), RabbitMQ's default password hash format. */
    public static byte[] hashPassword(String password) {
        byte[] salt = new byte[SALT_LENGTH];
        RANDOM.nextBytes(salt);
        return saltedHash("SHA-256", salt, password);
    }

    private static byte[] saltedHash(String algorithm, byte[] salt, String password) {
        try {
            MessageDigest digest = MessageDigest.getInstance(algorithm);
            digest.update(salt);
            byte[] hash = digest.digest(password.getBytes(StandardCharsets.UTF_8));
            byte[] result = new byte[salt.length + hash.length];
            System.arraycopy(salt, 0, result, 0, salt.length);
            System.arraycopy(hash, 0, result, salt.length, hash.length);
            return result;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is required of every Java platform", e);
        }
    }
}
