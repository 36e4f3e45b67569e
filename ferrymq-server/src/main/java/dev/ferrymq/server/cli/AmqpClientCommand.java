package dev.ferrymq.server.cli;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.PossibleAuthenticationFailureException;
import com.rabbitmq.client.ShutdownSignalException;
import com.rabbitmq.client.impl.ForgivingExceptionHandler;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;

/**
 * Base of the client commands that speak AMQP 0-9-1 ({@code publish}, {@code consume}) through the RabbitMQ Java
 * client, as amqp-tools' {@code amqp-publish}/{@code amqp-consume} do: the broker, credentials and vhost come from
 * {@code --uri amqp[s]://user:pass@host:port/vhost}. Exit codes as the HTTP commands': 0 success, 1 the broker
 * refused (its reply code and text are printed on one line), 2 the broker is not reachable.
 *
 * <p>Ctrl-C or SIGTERM runs {@link #stop()} on the JVM's shutdown thread, then closes the connection with
 * {@code connection.close}, so the broker requeues whatever was delivered and not acknowledged.
 */
abstract class AmqpClientCommand implements Callable<Integer> {
    static final String DEFAULT_URI = "amqp://guest:guest@localhost:5672/";

    @Spec
    CommandSpec spec;

    @Option(names = "--uri", paramLabel = "URI", defaultValue = DEFAULT_URI,
            description = "Broker: amqp[s]://user:pass@host:port/vhost, the vhost URL-encoded (%%2F is \"/\"; no vhost "
                    + "means \"/\") (default ${DEFAULT-VALUE}).")
    String uri;

    /** Accepted so scripts written when these commands used the management API keep working; not used. */
    @Option(names = "--management-url", hidden = true)
    String managementUrl;

    /** An error to report as one line, exit code 1. */
    static final class Failure extends RuntimeException {
        Failure(String message) {
            super(message);
        }
    }

    @Override
    public final Integer call() {
        if (managementUrl != null) {
            System.err.println("ferrymq: " + spec.name() + " speaks AMQP and ignores --management-url (see --uri)");
        }
        ConnectionFactory factory;
        try {
            factory = connectionFactory(uri);
        } catch (IllegalArgumentException | URISyntaxException | GeneralSecurityException e) {
            System.err.println("ferrymq: invalid --uri " + uri + ": " + e.getMessage());
            return 1;
        }
        String broker = factory.getHost() + ":" + factory.getPort();
        Connection connection;
        try {
            connection = factory.newConnection("ferrymq " + spec.name());
        } catch (AuthenticationFailureException e) {
            return fail("403 " + e.getMessage());
        } catch (PossibleAuthenticationFailureException e) {
            return fail("the broker at " + broker + " closed the connection during login (wrong user or password?)");
        } catch (ConnectException | UnknownHostException e) {
            System.err.println("ferrymq: cannot connect to " + broker + " (is the broker running? see --uri): "
                    + e.getMessage());
            return 2;
        } catch (IOException | TimeoutException e) {
            return failure(e, "cannot connect to " + broker);
        }
        Thread onSignal = new Thread(() -> {
            stop();
            closeQuietly(connection);
        }, "ferrymq-cli-stop");
        Runtime.getRuntime().addShutdownHook(onSignal);
        try {
            return run(connection);
        } catch (Failure e) {
            return fail(e.getMessage());
        } catch (ShutdownSignalException e) {
            return fail(describe(e));
        } catch (IOException | TimeoutException e) {
            return failure(e, "lost the connection to " + broker);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onSignal);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running (Ctrl-C): it closes the connection
            }
            closeQuietly(connection);
        }
    }

    /** The command's work on an open connection; returns the exit code. */
    abstract int run(Connection connection) throws IOException, TimeoutException, InterruptedException;

    /** Called on Ctrl-C or SIGTERM before the connection is closed; returns once the command is at a safe point. */
    void stop() {
    }

    static ConnectionFactory connectionFactory(String uri) throws URISyntaxException, GeneralSecurityException {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setAutomaticRecoveryEnabled(false);
        factory.setConnectionTimeout(10_000); // before setUri, so ?connection_timeout= wins
        factory.setHandshakeTimeout(10_000);
        factory.setChannelRpcTimeout(30_000);
        factory.setUri(uri);
        // The Java client reads "amqp://host/" as the vhost "" (RabbitMQ's URI spec); FerryMQ's CLI always meant "/".
        factory.setVirtualHost(vhostOf(uri));
        factory.setExceptionHandler(new ForgivingExceptionHandler() {
            @Override
            protected void log(String message, Throwable e) {
                // errors reach the command as exceptions and are printed as one line; no client stack traces
            }
        });
        return factory;
    }

    /** The vhost of an amqp URI: its percent-decoded path, "/" when the path is empty or "/". */
    static String vhostOf(String uri) {
        String path = URI.create(uri).getRawPath();
        return path == null || path.length() <= 1 ? "/" : URLDecoder.decode(
                path.substring(1).replace("+", "%2B"), StandardCharsets.UTF_8); // '+' is not a space here
    }

    /** "404 NOT_FOUND - no queue 'q' in vhost '/'" for a close by the broker, else the client's message. */
    static String describe(ShutdownSignalException e) {
        if (e.getReason() instanceof AMQP.Channel.Close close) {
            return close.getReplyCode() + " " + close.getReplyText();
        }
        if (e.getReason() instanceof AMQP.Connection.Close close) {
            return close.getReplyCode() + " " + close.getReplyText();
        }
        return e.getMessage();
    }

    /** A close by the broker inside {@code e} is a refusal (1); anything else a network problem (2). */
    private static int failure(Exception e, String what) {
        if (e.getCause() instanceof ShutdownSignalException signal) {
            return fail(describe(signal));
        }
        System.err.println("ferrymq: " + what + ": " + e);
        return 2;
    }

    private static int fail(String message) {
        System.err.println("ferrymq: " + message);
        return 1;
    }

    /** Synchronized: whichever of the main thread and the shutdown hook comes second waits for the close-ok. */
    private synchronized void closeQuietly(Connection connection) {
        try {
            if (connection.isOpen()) {
                connection.close(5_000);
            }
        } catch (Exception alreadyClosed) {
            // closed by the broker, or by the other of the main thread and the shutdown hook
        }
    }
}
