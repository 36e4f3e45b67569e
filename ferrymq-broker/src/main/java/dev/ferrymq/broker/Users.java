package dev.ferrymq.broker;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The user database. Passwords are kept as RabbitMQ does with {@code rabbit_password_hashing_sha256}: a random
 * 4-byte salt followed by SHA-256(salt + password), never in clear. Thread-safe.
 */
public final class Users {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** @param loopbackOnly the user may only connect from a loopback address (RabbitMQ's loopback_users) */
    public record User(String name, byte[] passwordHash, boolean loopbackOnly) {
    }

    private final Map<String, User> users = new ConcurrentHashMap<>();

    public void add(String name, String password, boolean loopbackOnly) {
        byte[] salt = new byte[4];
        RANDOM.nextBytes(salt);
        users.put(name, new User(name, saltedHash(salt, password), loopbackOnly));
    }

    /** The user of that name, or null; for logins proven otherwise (a client certificate, SASL EXTERNAL). */
    public User user(String name) {
        return users.get(name);
    }

    /** The user if the password matches, else null. */
    public User authenticate(String name, String password) {
        User user = users.get(name);
        if (user == null) {
            return null;
        }
        byte[] stored = user.passwordHash();
        byte[] salt = java.util.Arrays.copyOf(stored, 4);
        return MessageDigest.isEqual(stored, saltedHash(salt, password)) ? user : null;
    }

    private static byte[] saltedHash(byte[] salt, String password) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(salt);
            byte[] digest = sha256.digest(password.getBytes(StandardCharsets.UTF_8));
            byte[] result = new byte[salt.length + digest.length];
            System.arraycopy(salt, 0, result, 0, salt.length);
            System.arraycopy(digest, 0, result, salt.length, digest.length);
            return result;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
