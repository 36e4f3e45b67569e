package dev.ferrymq.embedded;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * The AMQP connection behind the test helpers ({@link FerryMQBroker#queue}, {@link FerryMQBroker#awaitMessages},
 * {@link FerryMQBroker#publishedTo}): opened on first use, opened again after a restart. Going through AMQP like
 * any client keeps the helpers honest and lets them run against an external RabbitMQ too. Thread-safe.
 */
final class BrokerClient implements AutoCloseable {
    /** How long awaitMessages sleeps after an empty basic.get. */
    private static final long POLL_MILLIS = 10;

    private final String uri;
    private Connection connection;

    BrokerClient(String uri) {
        this.uri = uri;
    }

    /** A new channel on the helper connection; the caller closes it. */
    synchronized Channel openChannel() throws IOException {
        if (connection == null || !connection.isOpen()) {
            connection = newConnection();
        }
        return connection.createChannel();
    }

    private Connection newConnection() throws IOException {
        ConnectionFactory factory = new ConnectionFactory();
        try {
            factory.setUri(uri);
        } catch (Exception e) {
            throw new IllegalArgumentException("bad AMQP URI " + uri, e);
        }
        factory.setAutomaticRecoveryEnabled(false);
        factory.setConnectionTimeout(5_000);
        factory.setChannelRpcTimeout(5_000);
        try {
            return factory.newConnection("ferrymq-embedded helpers");
        } catch (TimeoutException e) {
            throw new IOException("connecting to " + uri + " timed out", e);
        }
    }

    /** queue.declare passive: the queue's ready message and consumer counts; IllegalStateException if missing. */
    QueueCounts counts(String queue) {
        try (Channel channel = openChannel()) {
            var ok = channel.queueDeclarePassive(queue);
            return new QueueCounts(ok.getMessageCount(), ok.getConsumerCount());
        } catch (IOException e) {
            throw new IllegalStateException("no queue '" + queue + "' (" + e.getCause() + ")", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    record QueueCounts(int messages, int consumers) {
    }

    /** Takes {@code count} messages off the queue with basic.get, waiting up to {@code timeout} for them. */
    List<ReceivedMessage> take(String queue, int count, Duration timeout) {
        List<ReceivedMessage> taken = new ArrayList<>(count);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Channel channel = openChannel()) {
            while (taken.size() < count) {
                GetResponse response = channel.basicGet(queue, true);
                if (response != null) {
                    taken.add(new ReceivedMessage(response.getEnvelope().getExchange(),
                            response.getEnvelope().getRoutingKey(), response.getProps(), response.getBody()));
                } else if (System.nanoTime() - deadline >= 0) {
                    throw new AssertionError("expected " + count + " message(s) on queue '" + queue + "' within "
                            + timeout + " but got " + taken.size() + ": " + taken);
                } else {
                    Thread.sleep(POLL_MILLIS);
                }
            }
            return taken;
        } catch (IOException e) {
            throw new UncheckedIOException("basic.get from queue '" + queue + "' failed", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for messages on '" + queue + "'", e);
        }
    }

    @Override
    public synchronized void close() {
        if (connection != null && connection.isOpen()) {
            try {
                connection.close(2_000);
            } catch (IOException | RuntimeException e) {
                // the broker is going away: nothing to tell
            }
        }
        connection = null;
    }
}
