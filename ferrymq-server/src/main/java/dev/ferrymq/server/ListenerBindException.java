package dev.ferrymq.server;

import dev.ferrymq.server.config.Setting;
import dev.ferrymq.server.config.Settings;

import java.io.IOException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * A listener could not bind its address and port. The message is the single line an operator needs: which
 * listener, where, why in words, and the setting that changes it ({@code --amqp-port or FERRYMQ_AMQP_PORT}),
 * e.g. {@code cannot listen on 0.0.0.0:5672 for AMQP: address already in use (another broker running?); choose
 * another port with --amqp-port or FERRYMQ_AMQP_PORT}. Flag and variable names are derived from the config key
 * by the same {@link Settings} entries the config and {@code ferrymq server} are read with.
 */
public final class ListenerBindException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The server's listeners, each with the setting of its port. */
    public enum Listener {
        AMQP("AMQP", Settings.AMQP_PORT),
        AMQPS("AMQPS", Settings.AMQPS_PORT),
        MANAGEMENT_HTTP("the management HTTP API", Settings.MANAGEMENT_PORT),
        MANAGEMENT_HTTPS("the management HTTPS API", Settings.MANAGEMENT_PORT),
        LINE("the line listener", Settings.LINE_PORT),
        MQTT("MQTT", Settings.MQTT_PORT),
        MQTTS("MQTT over TLS", Settings.MQTTS_PORT),
        CLUSTER("the cluster (Raft) listener", Settings.CLUSTER_PORT);

        final String description;
        final Setting<Integer> portSetting;

        Listener(String description, Setting<Integer> portSetting) {
            this.description = description;
            this.portSetting = portSetting;
        }
    }

    private final Listener listener;
    private final int port;

    private ListenerBindException(Listener listener, String address, int port, String reason, String setting,
                                  Throwable cause) {
        super("cannot listen on " + address + ":" + port + " for " + listener.description + ": " + reason + "; "
                + setting, cause);
        this.listener = listener;
        this.port = port;
    }

    public Listener listener() {
        return listener;
    }

    public int port() {
        return port;
    }

    /**
     * Runs {@code start}, which binds {@code listener} to {@code address:port}; a bind failure (anywhere in the
     * cause chain) comes out as a ListenerBindException, anything else unchanged.
     */
    public static <T> T binding(Listener listener, String address, int port, Callable<T> start)
            throws IOException, InterruptedException {
        if (port < 0 || port > 65535) {
            throw new ListenerBindException(listener, address, port, "not a port number (0 to 65535)",
                    chooseAnother("port", listener.portSetting), null);
        }
        try {
            return start.call();
        } catch (IOException | InterruptedException | RuntimeException e) {
            ListenerBindException translated = translate(listener, address, port, e);
            if (translated == null) {
                throw e;
            }
            throw translated;
        } catch (Exception e) {
            ListenerBindException translated = translate(listener, address, port, e);
            throw translated != null ? translated : new IOException(e);
        }
    }

    /** The failure as a ListenerBindException, or null if it is not a failure to bind. */
    static ListenerBindException translate(Listener listener, String address, int port, Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException || "Unresolved address".equals(t.getMessage())) {
                return new ListenerBindException(listener, address, port, "unknown host '" + address + "'",
                        chooseAnother("address", Settings.BIND), failure);
            }
            // Netty's epoll transport ("bind(..) failed with error(-98): Address already in use") and the JDK's
            // BindException use the same strerror texts.
            String message = t instanceof IOException && t.getMessage() != null
                    ? t.getMessage().toLowerCase(Locale.ROOT) : "";
            if (message.contains("address already in use")) {
                return new ListenerBindException(listener, address, port,
                        "address already in use (another broker running?)", chooseAnother("port",
                        listener.portSetting), failure);
            }
            if (message.contains("cannot assign requested address")) {
                return new ListenerBindException(listener, address, port,
                        "no network interface of this machine has that address", chooseAnother("address",
                        Settings.BIND), failure);
            }
            if (message.contains("permission denied")) {
                return new ListenerBindException(listener, address, port,
                        "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)",
                        chooseAnother("port", listener.portSetting), failure);
            }
        }
        return null;
    }

    private static String chooseAnother(String what, Setting<?> setting) {
        return "choose another " + what + " with " + setting.flag() + " or " + setting.environmentVariable();
    }
}
