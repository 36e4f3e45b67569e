package dev.ferrymq.broker.dedup;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Map;

/**
 * A message's identity for deduplication: the value of its {@code x-deduplication-header} header, as a 64-bit
 * fingerprint (the first 8 bytes of SHA-256 over the value's type and text), so a cache entry is two longs whatever
 * the header's size. Two different values collide with probability about n²/2⁶⁵ (for a million cached values,
 * about 3·10⁻⁸). Values of different AMQP types differ ("1" is not 1), as they do for the plugin.
 */
final class Identity {
    static final String HEADER = "x-deduplication-header";
    /** No identity: the message carries no deduplication header and is never a duplicate. */
    static final long NONE = 0;

    private Identity() {
    }

    /** The fingerprint of the message's deduplication header, or {@link #NONE}. */
    static long of(Map<String, Object> headers) {
        Object value = headers == null ? null : headers.get(HEADER);
        if (value == null) {
            return NONE;
        }
        byte[] text = value instanceof byte[] b ? b
                : value instanceof Object[] array ? Arrays.deepToString(array).getBytes(StandardCharsets.UTF_8)
                : value.toString().getBytes(StandardCharsets.UTF_8);
        String type = value instanceof byte[] || value instanceof CharSequence ? "S" : value.getClass().getName();
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(type.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            byte[] digest = sha.digest(text);
            long fingerprint = 0;
            for (int i = 0; i < 8; i++) {
                fingerprint = (fingerprint << 8) | (digest[i] & 0xFF);
            }
            return fingerprint == NONE ? 1 : fingerprint;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
