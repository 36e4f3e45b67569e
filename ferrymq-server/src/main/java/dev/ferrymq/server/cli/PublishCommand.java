package dev.ferrymq.server.cli;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code ferrymq publish}: BODY, or each line of standard input, as one message over AMQP. Mandatory by default, so
 * a message no queue takes comes back (basic.return) and is counted; with {@code --confirm} the broker's nacks are
 * counted too. Either makes the exit code 1, with a line saying how many.
 *
 * <p>Threading: the return and confirm listeners run on the client's connection thread, before it completes the
 * round trip (confirms, or basic.qos-ok) the command's thread waits for at the end, so the counts are final then.
 */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = {"Publish BODY, or each line of standard input as one message, over AMQP.",
                "Exits 1 if a message was returned unroutable (mandatory, the default) or nacked (--confirm)."})
final class PublishCommand extends AmqpClientCommand {
    @Option(names = "--exchange", paramLabel = "NAME", defaultValue = "",
            description = "Exchange (default: the default exchange).")
    String exchange;

    @Option(names = "--routing-key", paramLabel = "KEY", defaultValue = "", description = "Routing key (a queue name with the "
            + "default exchange).")
    String routingKey;

    @Option(names = "--persistent", description = "delivery_mode 2 (stored on disk by durable queues).")
    boolean persistent;

    @Option(names = "--confirm", description = "Use publisher confirms and wait until the broker has confirmed "
            + "every message.")
    boolean confirm;

    @Option(names = "--mandatory", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Publish mandatory, so unroutable messages are returned and counted as failures "
                    + "(default; --no-mandatory lets the broker drop them silently).")
    boolean mandatory;

    @Parameters(arity = "0..1", paramLabel = "BODY", description = "The message (default: one per line of stdin).")
    String body;

    private final AtomicInteger returned = new AtomicInteger();
    private final AtomicInteger nacked = new AtomicInteger();
    /** Sequence numbers published and not yet confirmed (with --confirm). */
    private final NavigableSet<Long> unconfirmed = new ConcurrentSkipListSet<>();

    @Override
    int run(Connection connection) throws IOException, TimeoutException, InterruptedException {
        Channel channel = connection.createChannel();
        channel.addReturnListener(message -> returned.incrementAndGet());
        if (confirm) {
            channel.confirmSelect();
            channel.addConfirmListener(new ConfirmListener() {
                @Override
                public void handleAck(long seq, boolean multiple) {
                    settle(seq, multiple);
                }

                @Override
                public void handleNack(long seq, boolean multiple) {
                    nacked.addAndGet(settle(seq, multiple));
                }
            });
        }
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().deliveryMode(persistent ? 2 : 1).build();
        int published = 0;
        if (body != null) {
            publish(channel, properties, body);
            published++;
        } else {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                publish(channel, properties, line);
                published++;
            }
        }
        if (confirm) {
            channel.waitForConfirms();
        } else {
            channel.basicQos(0); // a round trip: the broker sends every basic.return before its qos-ok
        }
        int failed = returned.get() + nacked.get();
        if (failed == 0) {
            return 0;
        }
        throw new Failure(failed + " of " + published + " messages not delivered: " + returned.get()
                + " returned unroutable (312 NO_ROUTE, exchange '" + exchange + "', routing key '" + routingKey
                + "'), " + nacked.get() + " nacked by the broker");
    }

    private void publish(Channel channel, AMQP.BasicProperties properties, String message) throws IOException {
        if (confirm) {
            unconfirmed.add(channel.getNextPublishSeqNo());
        }
        channel.basicPublish(exchange, routingKey, mandatory, properties, message.getBytes(StandardCharsets.UTF_8));
    }

    /** Removes the confirmed sequence numbers and returns how many there were. */
    private int settle(long seq, boolean multiple) {
        if (!multiple) {
            return unconfirmed.remove(seq) ? 1 : 0;
        }
        NavigableSet<Long> settled = unconfirmed.headSet(seq, true);
        int n = settled.size();
        settled.clear();
        return n;
    }
}
