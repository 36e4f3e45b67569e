package dev.ferrymq.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {

    @Test
    void delaysGrowAfterTheFreeFailuresAndAreCapped() {
        assertThat(LoginThrottle.delayFor(1)).isZero();
        assertThat(LoginThrottle.delayFor(3)).isZero();
        assertThat(LoginThrottle.delayFor(4)).isEqualTo(100);
        assertThat(LoginThrottle.delayFor(5)).isEqualTo(200);
        assertThat(LoginThrottle.delayFor(100)).isEqualTo(5_000);
    }

    @Test
    void countsPerAddressAndForgetsAfterAQuietWindow() throws Exception {
        LoginThrottle throttle = new LoginThrottle();
        InetAddress a = InetAddress.getByName("10.0.0.1");
        InetAddress b = InetAddress.getByName("10.0.0.2");
        for (int i = 0; i < 4; i++) {
            throttle.failed(a, 1_000);
        }
        assertThat(throttle.failed(a, 2_000)).isEqualTo(200);
        assertThat(throttle.failed(b, 2_000)).as("another address is not slowed down").isZero();
        assertThat(throttle.failed(a, 2_000 + LoginThrottle.WINDOW_MILLIS)).as("a new window").isZero();
        assertThat(throttle.failureCount(a)).isEqualTo(1);
    }
}
