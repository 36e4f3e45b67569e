package dev.ferrymq.server.adapter;

import dev.ferrymq.broker.Broker;
import dev.ferrymq.broker.adapter.AdapterConnection;
import dev.ferrymq.broker.adapter.AdapterContext;
import dev.ferrymq.broker.adapter.ConnectionGate;
import dev.ferrymq.broker.adapter.ProtocolAdapter;
import dev.ferrymq.broker.adapter.ProtocolListener;
import dev.ferrymq.broker.adapter.ResourceAlarms;
import dev.ferrymq.server.ListenerBindException;
import dev.ferrymq.server.ListenerBindException.Listener;
import dev.ferrymq.server.alarm.Alarms;
import dev.ferrymq.server.config.ServerConfig;
import dev.ferrymq.server.config.Setting;
import dev.ferrymq.server.config.Settings;
import io.netty.handler.ssl.SslContext;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The protocol adapters this server runs (MQTT so far): for each protocol whose port setting is not -1, the
 * adapter module is looked up ({@link ProtocolAdapter#load}) and started with an {@link AdapterContext} that shares
 * the server's broker, settings, event loops, connection limits and alarms. With every such port off, no adapter
 * class is loaded. Started and closed by {@code FerryServer}; {@link #connections} may be called from any thread.
 */
public final class ProtocolAdapters implements AutoCloseable {
    private final List<ProtocolListener> listeners = new ArrayList<>();
    private ProtocolListener mqtt;

    /** Starts the configured adapters; on failure closes those already started and rethrows. */
    /** @param tls the server's TLS context, or null without a certificate */
    public ProtocolAdapters(ServerConfig config, Broker broker, ConnectionGate connections, Alarms alarms,
                            ScheduledExecutorService acceptorLoops, ScheduledExecutorService ioLoops,
                            SslContext tls) throws IOException, InterruptedException {
        AdapterContext context = new Context(config, broker, connections, alarms, acceptorLoops, ioLoops, tls);
        try {
            int mqttPort = config.get(Settings.MQTT_PORT);
            int mqttsPort = config.get(Settings.MQTTS_PORT);
            if (mqttsPort != ServerConfig.DISABLED && tls == null) {
                throw new IllegalArgumentException("mqtts-port needs a certificate (tls-cert)");
            }
            if (mqttPort != ServerConfig.DISABLED || mqttsPort != ServerConfig.DISABLED) {
                boolean plain = mqttPort != ServerConfig.DISABLED;
                mqtt = ListenerBindException.binding(plain ? Listener.MQTT : Listener.MQTTS, config.bind(),
                        plain ? mqttPort : mqttsPort, () -> ProtocolAdapter.load("mqtt").start(context));
                listeners.add(mqtt);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The MQTT port, or -1 when MQTT is off. */
    public int mqttPort() {
        return mqtt == null ? ServerConfig.DISABLED : mqtt.port();
    }

    /** The MQTT-over-TLS port, or -1 when it is off. */
    public int mqttsPort() {
        return mqtt == null ? ServerConfig.DISABLED : mqtt.tlsPort();
    }

    /** Snapshots of every adapter's open connections. */
    public List<AdapterConnection> connections() {
        List<AdapterConnection> all = new ArrayList<>();
        listeners.forEach(listener -> all.addAll(listener.connections()));
        return all;
    }

    /** Closes the adapter connection of that name; false if there is none. */
    public boolean closeConnection(String name, String reason) {
        return listeners.stream().anyMatch(listener -> listener.closeConnection(name, reason));
    }

    /** Closes every adapter connection to {@code vhost}: it is being deleted. */
    public void closeAllTo(String vhost) {
        for (AdapterConnection connection : connections()) {
            if (connection.vhost().equals(vhost)) {
                closeConnection(connection.name(), "vhost '" + vhost + "' is deleted");
            }
        }
    }

    @Override
    public void close() {
        listeners.forEach(ProtocolListener::close);
        listeners.clear();
    }

    private record Context(ServerConfig config, Broker broker, ConnectionGate connections, Alarms serverAlarms,
                           ScheduledExecutorService acceptorLoops, ScheduledExecutorService ioLoops,
                           Object tlsContext) implements AdapterContext {

        @Override
        public <T> T setting(String key, Class<T> type) {
            Setting<?> setting = Settings.byKey(key);
            if (setting == null) {
                throw new IllegalArgumentException("no setting '" + key + "'");
            }
            if (key.equals(Settings.IO_THREADS.key())) {
                return type.cast(config.ioThreads()); // the derived value, as the server's own loops use
            }
            return type.cast(config.get(setting));
        }

        @Override
        public ResourceAlarms alarms() {
            return new ResourceAlarms() {
                @Override
                public boolean anyAlarm() {
                    return serverAlarms.anyAlarm();
                }

                @Override
                public String reason() {
                    return serverAlarms.reason();
                }

                @Override
                public void whenCleared(Runnable listener) {
                    serverAlarms.addListener((anyAlarm, reason) -> {
                        if (!anyAlarm) {
                            listener.run();
                        }
                    });
                }
            };
        }
    }
}
