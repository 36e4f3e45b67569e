package dev.ferrymq.server.amqp;

import dev.ferrymq.server.config.ServerConfig;
import dev.ferrymq.server.config.Settings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionLimitsTest {

    @Test
    void userLimitCountsAcrossVhostsAndReleasesTheVhostSlotWhenRefused() {
        ConnectionLimits limits = new ConnectionLimits(ServerConfig.defaults()
                .with(Settings.MAX_CONNECTIONS_PER_USER, 2)
                .with(Settings.MAX_CONNECTIONS_PER_VHOST, 2));
        assertThat(limits.tryOpen("/", "alice")).isNull();
        assertThat(limits.tryOpen("other", "alice")).isNull();
        assertThat(limits.tryOpen("/", "alice"))
                .isEqualTo("Connection refused for user 'alice': user connection limit (2) is reached");
        assertThat(limits.tryOpen("/", "bob")).as("alice's refused attempt did not keep a vhost slot").isNull();
        assertThat(limits.tryOpen("/", "carol"))
                .isEqualTo("access to vhost '/' refused for user 'carol': connection limit (2) is reached");
        limits.closed("/", "alice");
        assertThat(limits.tryOpen("/", "carol")).isNull();
    }

    @Test
    void socketLimitAndUnlimitedDefaults() {
        ConnectionLimits limited = new ConnectionLimits(ServerConfig.defaults().with(Settings.MAX_CONNECTIONS, 1));
        assertThat(limited.tryAcceptSocket()).isTrue();
        assertThat(limited.tryAcceptSocket()).isFalse();
        limited.socketClosed();
        assertThat(limited.tryAcceptSocket()).isTrue();

        ConnectionLimits unlimited = new ConnectionLimits(ServerConfig.defaults());
        for (int i = 0; i < 10_000; i++) {
            assertThat(unlimited.tryAcceptSocket()).isTrue();
            assertThat(unlimited.tryOpen("/", "guest")).isNull();
        }
    }
}
