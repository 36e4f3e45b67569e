package dev.ferrymq.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferrymq.server.ListenerBindException.Listener;
import dev.ferrymq.server.cli.Main;
import dev.ferrymq.server.config.ConfigSources;
import dev.ferrymq.server.config.ServerConfig;
import dev.ferrymq.server.config.Settings;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** A listener that cannot bind: what the start-up leaves behind, and that its message names real settings. */
class ListenerBindFailureTest {
    @TempDir
    Path dir;

    @Test
    void aFailedStartReleasesTheListenersTheStoreAndTheThreads() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        int amqpPort;
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            amqpPort = probe.getLocalPort();
            probe.close();
            ServerConfig config = ServerConfig.defaults().with(Settings.BIND, "127.0.0.1").with(Settings.DATA_DIR, dir)
                    .with(Settings.AMQP_PORT, amqpPort).with(Settings.MANAGEMENT_PORT, 0)
                    .with(Settings.LINE_PORT, taken.getLocalPort());

            assertThatThrownBy(() -> FerryServer.start(config))
                    .isInstanceOfSatisfying(ListenerBindException.class, e -> {
                        assertThat(e.listener()).isEqualTo(Listener.LINE);
                        assertThat(e.port()).isEqualTo(taken.getLocalPort());
                    });
        }

        // the AMQP listener bound before the line listener failed is closed again
        try (ServerSocket again = new ServerSocket()) {
            again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), amqpPort));
        }
        // no event-loop, management or store thread outlives the failed start
        long deadline = System.nanoTime() + 5_000_000_000L;
        Set<String> lingering;
        do {
            Thread.sleep(20);
            lingering = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> !before.contains(t) && t.isAlive())
                    .map(Thread::getName)
                    .filter(name -> !name.startsWith("globalEventExecutor")) // Netty's shared helper, idles out
                    .collect(Collectors.toSet());
        } while (!lingering.isEmpty() && System.nanoTime() < deadline);
        assertThat(lingering).as("threads left running").isEmpty();
        // the store's directory lock is released: the same data directory opens again
        try (FerryServer server = FerryServer.start(ServerConfig.defaults().with(Settings.BIND, "127.0.0.1")
                .with(Settings.DATA_DIR, dir)
                .with(Settings.AMQP_PORT, 0).with(Settings.MANAGEMENT_PORT, ServerConfig.DISABLED))) {
            assertThat(server.amqpPort()).isPositive();
        }
    }

    @Test
    void aTakenMqttPortIsReportedAndTheStartUndone() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            ServerConfig config = ServerConfig.defaults().with(Settings.BIND, "127.0.0.1").with(Settings.DATA_DIR, dir)
                    .with(Settings.AMQP_PORT, 0).with(Settings.MANAGEMENT_PORT, ServerConfig.DISABLED)
                    .with(Settings.MQTT_PORT, taken.getLocalPort());
            assertThatThrownBy(() -> FerryServer.start(config))
                    .isInstanceOfSatisfying(ListenerBindException.class, e -> {
                        assertThat(e.listener()).isEqualTo(Listener.MQTT);
                        assertThat(e.getMessage()).endsWith("choose another port with --mqtt-port or "
                                + "FERRYMQ_MQTT_PORT");
                    });
        }
        try (FerryServer server = FerryServer.start(ServerConfig.defaults().with(Settings.BIND, "127.0.0.1")
                .with(Settings.DATA_DIR, dir).with(Settings.AMQP_PORT, 0)
                .with(Settings.MANAGEMENT_PORT, ServerConfig.DISABLED).with(Settings.MQTT_PORT, 0))) {
            assertThat(server.mqttPort()).isPositive(); // the store's lock and the retained store were released
        }
    }

    @Test
    void eachListenersMessageNamesAFlagOfTheServerCommandAndAVariableTheConfigReads() throws Exception {
        CommandSpec serverCommand = new CommandLine(new Main()).getSubcommands().get("server").getCommandSpec();
        Map<Listener, ToIntFunction<ServerConfig>> portOf = Map.of(
                Listener.AMQP, ServerConfig::amqpPort,
                Listener.AMQPS, ServerConfig::amqpsPort,
                Listener.MANAGEMENT_HTTP, ServerConfig::managementPort,
                Listener.MANAGEMENT_HTTPS, ServerConfig::managementPort,
                Listener.LINE, ServerConfig::linePort,
                Listener.MQTT, config -> config.get(Settings.MQTT_PORT),
                Listener.MQTTS, config -> config.get(Settings.MQTTS_PORT),
                Listener.CLUSTER, config -> config.get(Settings.CLUSTER_PORT));
        for (Listener listener : Listener.values()) {
            String message = ListenerBindException.translate(listener, "0.0.0.0", 1234,
                    new BindException("Address already in use")).getMessage();
            String flag = listener.portSetting.flag();
            String variable = listener.portSetting.environmentVariable();
            assertThat(message).contains("0.0.0.0:1234").endsWith("choose another port with " + flag + " or "
                    + variable);
            assertThat(serverCommand.findOption(flag)).as("%s is a flag of ferrymq server", flag).isNotNull();
            ServerConfig fromEnvironment = ConfigSources.load(null, Map.of(variable, "4321"));
            assertThat(portOf.get(listener).applyAsInt(fromEnvironment)).as(variable).isEqualTo(4321);
        }
        assertThat(serverCommand.findOption(Settings.BIND.flag())).isNotNull();
        assertThat(ConfigSources.load(null, Map.of(Settings.BIND.environmentVariable(), "10.1.2.3")).bind())
                .isEqualTo("10.1.2.3");
    }

    @Test
    void aTakenClusterPortIsReportedLikeAnyListenerAndTheStartUndone() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            ServerConfig config = ServerConfig.defaults().with(Settings.BIND, "127.0.0.1").with(Settings.DATA_DIR, dir)
                    .with(Settings.AMQP_PORT, 0).with(Settings.MANAGEMENT_PORT, ServerConfig.DISABLED)
                    .with(Settings.NODE_NAME, "n1").with(Settings.CLUSTER_PORT, port)
                    .with(Settings.CLUSTER_SEEDS, "n1@127.0.0.1:" + port);

            assertThatThrownBy(() -> FerryServer.start(config))
                    .isInstanceOfSatisfying(ListenerBindException.class, e -> assertThat(e.getMessage())
                            .isEqualTo("cannot listen on 127.0.0.1:" + port + " for the cluster (Raft) listener: "
                                    + "address already in use (another broker running?); choose another port with "
                                    + "--cluster-port or FERRYMQ_CLUSTER_PORT"));
        }
        try (FerryServer server = FerryServer.start(ServerConfig.defaults().with(Settings.BIND, "127.0.0.1")
                .with(Settings.DATA_DIR, dir).with(Settings.AMQP_PORT, 0)
                .with(Settings.MANAGEMENT_PORT, ServerConfig.DISABLED))) {
            assertThat(server.amqpPort()).isPositive(); // the store's lock was released
        }
    }

    @Test
    void permissionDeniedAndUnknownHostsGetTheirOwnWords() {
        assertThat(ListenerBindException.translate(Listener.AMQP, "0.0.0.0", 80,
                new BindException("Permission denied")).getMessage())
                .isEqualTo("cannot listen on 0.0.0.0:80 for AMQP: permission denied (ports below 1024 need root "
                        + "or CAP_NET_BIND_SERVICE); choose another port with --amqp-port or FERRYMQ_AMQP_PORT");
        assertThat(ListenerBindException.translate(Listener.AMQP, "nosuch.invalid", 5672,
                new java.nio.channels.UnresolvedAddressException()).getMessage())
                .isEqualTo("cannot listen on nosuch.invalid:5672 for AMQP: unknown host 'nosuch.invalid'; choose "
                        + "another address with --bind or FERRYMQ_BIND");
        assertThat(ListenerBindException.translate(Listener.AMQP, "0.0.0.0", 5672,
                new IllegalStateException("not a bind failure"))).isNull();
    }
}
