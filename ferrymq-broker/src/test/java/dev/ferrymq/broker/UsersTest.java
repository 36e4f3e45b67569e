package dev.ferrymq.broker;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class UsersTest {
    private final Broker broker = Broker.withDefaults();
    private final Users users = broker.users();

    @Test
    void guestAuthenticatesWithGuestAndIsLoopbackOnly() {
        Users.User user = users.authenticate("guest", "guest");
        assertThat(user).isNotNull();
        assertThat(user.name()).isEqualTo("guest");
        assertThat(user.loopbackOnly()).isTrue();
    }

    @Test
    void wrongPasswordIsRejected() {
        assertThat(users.authenticate("guest", "Guest")).isNull();
        assertThat(users.authenticate("guest", "")).isNull();
        assertThat(users.authenticate("guest", "guestguest")).isNull();
    }

    @Test
    void unknownUserIsRejected() {
        assertThat(users.authenticate("nobody", "guest")).isNull();
    }

    @Test
    void storedHashIsSaltedSha256NotThePlainPassword() {
        Users.User user = users.authenticate("guest", "guest");
        byte[] hash = user.passwordHash();
        assertThat(hash).hasSize(4 + 32);
        assertThat(new String(hash, StandardCharsets.ISO_8859_1)).doesNotContain("guest");
        assertThat(hash).isNotEqualTo("guest".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void samePasswordHashesDifferentlyForDifferentUsers() {
        users.add("a", "secret", false);
        users.add("b", "secret", false);
        assertThat(users.authenticate("a", "secret").passwordHash())
                .isNotEqualTo(users.authenticate("b", "secret").passwordHash());
        assertThat(users.authenticate("a", "secret").loopbackOnly()).isFalse();
    }

    @Test
    void nonAsciiPasswordsWork() {
        users.add("ü", "pässwörd✓", false);
        assertThat(users.authenticate("ü", "pässwörd✓")).isNotNull();
        assertThat(users.authenticate("ü", "passwort")).isNull();
    }

    @Test
    void reAddingAUserReplacesThePassword() {
        users.add("guest", "new", true);
        assertThat(users.authenticate("guest", "guest")).isNull();
        assertThat(users.authenticate("guest", "new")).isNotNull();
    }
}
