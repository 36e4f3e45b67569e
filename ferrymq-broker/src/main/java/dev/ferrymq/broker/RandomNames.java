package dev.ferrymq.broker;

import java.security.SecureRandom;
import java.util.Base64;

/** Unguessable server-generated names ("amq.gen-..." queues, direct reply-to tokens). Thread-safe. */
public final class RandomNames {
    private static final SecureRandom RANDOM = new SecureRandom();

    private RandomNames() {
    }

    /** {@code prefix} followed by 128 random bits, URL-safe base64. */
    public static String withPrefix(String prefix) {
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }
}
