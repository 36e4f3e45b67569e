package dev.ferrymq.server.cli;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code ferrymq consume QUEUE}: basic.consume with a prefetch, each body printed on its own line as it arrives.
 *
 * <p>Threading: the client's consumer thread only hands deliveries and cancel/shutdown notices to
 * {@link #events}; the command's thread prints, flushes and (with {@code --ack}) acknowledges, so a message is
 * acknowledged only once it has been written out. {@link #stop()} (Ctrl-C) queues a stop and waits for that thread
 * to reach it, so the connection is closed between two messages.
 */
@Command(name = "consume", mixinStandardHelpOptions = true,
        description = {"Consume from QUEUE over AMQP (basic.consume) and print each message body on its own line as "
                + "it arrives, until Ctrl-C or --count messages.",
                "Without --ack nothing is acknowledged: the messages go back to the queue (requeued, marked "
                        + "redelivered) when the command exits. With --ack and --count N, exactly those N are "
                        + "acknowledged."})
final class ConsumeCommand extends AmqpClientCommand {
    @Parameters(paramLabel = "QUEUE")
    String queue;

    @Option(names = "--count", paramLabel = "N", description = "Stop after N messages (default: run until Ctrl-C).")
    Integer count;

    @Option(names = "--ack", description = "Acknowledge (remove) each message once printed.")
    boolean ack;

    @Option(names = "--prefetch", paramLabel = "N", defaultValue = "100",
            description = "basic.qos prefetch count: unacknowledged messages in flight (default ${DEFAULT-VALUE}; "
                    + "0 = no limit). With --count N it is at most N, and exactly N without --ack, since unacknowledged "
                    + "messages keep their place until exit; so without --ack or --count at most this many print.")
    int prefetch;

    /** Deliveries, or a {@link Stop}. */
    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final CountDownLatch loopLeft = new CountDownLatch(1);

    /** Ends the loop: {@code error} null for Ctrl-C, else the one-line reason. */
    private record Stop(String error) {
    }

    private record Delivery(long tag, byte[] body) {
    }

    @Override
    int run(Connection connection) throws IOException, InterruptedException {
        if (count != null && count < 1 || prefetch < 0) {
            throw new Failure("--count must be at least 1 and --prefetch at least 0");
        }
        try {
            consume(connection);
        } finally {
            loopLeft.countDown();
        }
        return 0;
    }

    private void consume(Connection connection) throws IOException, InterruptedException {
        Channel channel = connection.createChannel();
        int window = window();
        channel.basicQos(window);
        String consumerTag = channel.basicConsume(queue, false, new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
                                       byte[] body) {
                events.add(new Delivery(envelope.getDeliveryTag(), body));
            }

            @Override
            public void handleCancel(String consumerTag) {
                events.add(new Stop("the broker cancelled the consumer (queue '" + queue + "' deleted?)"));
            }

            @Override
            public void handleShutdownSignal(String consumerTag, ShutdownSignalException sig) {
                events.add(new Stop(sig.isInitiatedByApplication() ? null : describe(sig)));
            }
        });
        long heldAck = printUntilStopped(channel, window);
        if (heldAck > 0) {
            if (channel.isOpen()) {
                channel.basicCancel(consumerTag); // no delivery past --count once the window opens
            }
            channel.basicAck(heldAck, true);
        }
    }

    /**
     * The basic.qos prefetch. Without --ack every message printed stays unacknowledged until exit, so with --count
     * the window must hold all N; with --ack, no more than N are needed.
     */
    private int window() {
        if (count == null) {
            return prefetch;
        }
        return !ack || prefetch == 0 ? count : Math.min(prefetch, count);
    }

    /**
     * Prints deliveries until --count, a stop or an error. With --ack, acks each message once it is printed, except
     * those whose ack would let the broker deliver more than --count messages (acked + window > N): their ack is
     * held back, and the delivery tag to ack (multiple) after cancelling the consumer is returned (0: none).
     */
    private long printUntilStopped(Channel channel, int window) throws IOException, InterruptedException {
        PrintStream out = System.out;
        long heldAck = 0;
        for (int printed = 0; count == null || printed < count; ) {
            Object event = events.take();
            if (event instanceof Stop stop) {
                if (stop.error() != null) {
                    throw new Failure(stop.error());
                }
                break;
            }
            Delivery delivery = (Delivery) event;
            out.write(delivery.body());
            out.write('\n');
            out.flush();
            if (out.checkError()) {
                break; // the reader went away (e.g. "| head"): this message was not seen, so it is not acked
            }
            printed++;
            if (!ack) {
                continue;
            }
            if (count == null || printed + window <= count) {
                channel.basicAck(delivery.tag(), false);
            } else {
                heldAck = delivery.tag();
            }
        }
        return heldAck;
    }

    @Override
    void stop() {
        events.add(new Stop(null));
        try {
            loopLeft.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
