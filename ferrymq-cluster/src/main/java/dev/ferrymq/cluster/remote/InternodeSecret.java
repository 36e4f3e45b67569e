package dev.ferrymq.cluster.remote;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * This node's internode secret (RabbitMQ's Erlang cookie, per node): 32 random bytes, Base64, generated on the
 * node's first clustered start into {@code <data-dir>/cluster/internode-secret} (owner-only where the file system
 * has POSIX permissions) and kept from then on. The node announces it with its AMQP address in the replicated
 * metadata, and accepts internode connections that present it. Not thread-safe: read once at start.
 */
final class InternodeSecret {
    static final String FILE = "internode-secret";

    private InternodeSecret() {
    }

    static String loadOrCreate(Path storageDir) throws IOException {
        Path file = storageDir.resolve(FILE);
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Files.createDirectories(storageDir);
        Path temporary = storageDir.resolve(FILE + ".tmp");
        Files.writeString(temporary, secret, StandardCharsets.UTF_8);
        try {
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the data directory's own permissions protect it
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
        return secret;
    }
}
