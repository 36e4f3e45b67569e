package dev.ferrymq.embedded;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * Records what is published to an exchange with a routing key from the moment {@link FerryMQBroker#publishedTo}
 * returns: a server-named, exclusive queue bound to the exchange with that key (a pattern for a topic exchange)
 * and consumed with auto-ack. Being a real binding, it also makes such messages routable: a mandatory publish that
 * would have been returned is not. Close it (or the broker) when done. Thread-safe.
 */
public final class MessageTap implements AutoCloseable {
    private final Channel channel;
    private final String exchange;
    private final String routingKey;
    private final List<ReceivedMessage> seen = new ArrayList<>();

    private MessageTap(Channel channel, String exchange, String routingKey) {
        this.channel = channel;
        this.exchange = exchange;
        this.routingKey = routingKey;
    }

    static MessageTap open(BrokerClient client, String exchange, String routingKey) {
        if (exchange.isEmpty()) {
            throw new IllegalArgumentException("the default exchange takes no bindings: use awaitMessages on the "
                    + "queue named by the routing key instead");
        }
        Channel channel = null;
        try {
            channel = client.openChannel();
            String queue = channel.queueDeclare("", false, true, true, null).getQueue();
            channel.queueBind(queue, exchange, routingKey);
            MessageTap tap = new MessageTap(channel, exchange, routingKey);
            channel.basicConsume(queue, true, tap.new Recorder(channel));
            return tap;
        } catch (IOException e) {
            closeQuietly(channel);
            throw new IllegalStateException("cannot tap exchange '" + exchange + "' (" + e.getCause() + ")", e);
        }
    }

    private final class Recorder extends DefaultConsumer {
        Recorder(Channel channel) {
            super(channel);
        }

        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            synchronized (MessageTap.this) {
                seen.add(new ReceivedMessage(envelope.getExchange(), envelope.getRoutingKey(), properties, body));
                MessageTap.this.notifyAll();
            }
        }
    }

    /** What was published so far, in arrival order. */
    public synchronized List<ReceivedMessage> messages() {
        return List.copyOf(seen);
    }

    /** Waits until at least {@code count} messages were seen and returns them all; AssertionError on timeout. */
    public synchronized List<ReceivedMessage> await(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            for (long left = timeout.toNanos(); seen.size() < count; left = deadline - System.nanoTime()) {
                if (left <= 0) {
                    throw new AssertionError("expected " + count + " message(s) published to exchange '" + exchange
                            + "' with key '" + routingKey + "' within " + timeout + " but saw " + seen.size()
                            + ": " + seen);
                }
                wait(Math.max(1, left / 1_000_000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return List.copyOf(seen);
    }

    @Override
    public void close() {
        closeQuietly(channel); // the exclusive, auto-delete queue goes with its consumer
    }

    private static void closeQuietly(Channel channel) {
        if (channel != null && channel.isOpen()) {
            try {
                channel.close();
            } catch (IOException | TimeoutException | RuntimeException e) {
                // the broker or the connection is already gone
            }
        }
    }
}
