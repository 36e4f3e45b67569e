package dev.ferrymq.server.faults;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * One consumer of the workload: manual acks with a prefetch, every delivery recorded by its message id before it
 * is acked. With {@code settleWithTx} the channel is transactional and an ack counts as settled once
 * {@code tx.commit-ok} arrives (the single-node check for resurrected acks). It starts on node {@code index + 1}
 * (so publishers and consumers sit on different nodes), moves on to the next node when its connection fails, and
 * also when it has received nothing for {@code stallTimeout} (a consumer left on a minority or a node that lost
 * its subscription). Ends when {@code running} says so. One thread, plus the client's dispatch thread.
 */
final class Consumer implements Runnable {
    private final int index;
    private final Endpoints endpoints;
    private final String queue;
    private final History history;
    private final Workload.Settings settings;
    private final BooleanSupplier running;
    /** Something was delivered since the last failure was reported. */
    private volatile boolean flowing;

    Consumer(int index, Endpoints endpoints, String queue, History history, Workload.Settings settings,
            BooleanSupplier running) {
        this.index = index;
        this.endpoints = endpoints;
        this.queue = queue;
        this.history = history;
        this.settings = settings;
        this.running = running;
    }

    @Override
    public void run() {
        int node = index + 1;
        // a failure already reported is not reported again (a refused reconnection) until messages flow again
        Set<String> reported = new HashSet<>();
        while (running.getAsBoolean()) {
            String name = endpoints.name(node % endpoints.size());
            try (Connection connection = endpoints.factory(node % endpoints.size())
                    .newConnection("faults-consumer-" + index)) {
                consumeUntilStalledOrStopped(connection, name);
            } catch (Exception e) {
                if (flowing) {
                    flowing = false;
                    reported.clear();
                }
                if (running.getAsBoolean() && reported.add(Publisher.describe(e))) {
                    history.event("consumer " + index + " on " + name + ": " + Publisher.describe(e)
                            + ", moving on");
                }
            }
            node++;
            Publisher.sleep(300);
        }
    }

    /** Returns when stalled or stopped; throws when the connection fails. */
    private void consumeUntilStalledOrStopped(Connection connection, String name) throws Exception {
        Channel channel = connection.createChannel();
        channel.basicQos(settings.prefetch());
        if (settings.settleWithTx()) {
            channel.txSelect();
        }
        long[] lastDelivery = {System.nanoTime()};
        channel.basicConsume(queue, false, "faults-consumer-" + index, new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                lastDelivery[0] = System.nanoTime();
                flowing = true;
                String id = properties.getMessageId() == null ? "(no id)" : properties.getMessageId();
                history.delivered(id);
                try {
                    channel.basicAck(envelope.getDeliveryTag(), false);
                    if (settings.settleWithTx()) {
                        channel.txCommit();
                        history.settled(id);
                    }
                    history.acked(id);
                } catch (IOException | RuntimeException e) {
                    // the connection is going: the run loop notices and moves on; the message comes back
                }
            }
        });
        while (running.getAsBoolean() && connection.isOpen() && channel.isOpen()) {
            if (System.nanoTime() - lastDelivery[0] > settings.stallTimeout().toNanos() && queueHasMessages()) {
                history.event("consumer " + index + " on " + name + ": nothing for "
                        + settings.stallTimeout().toSeconds() + " s, moving on");
                return;
            }
            Publisher.sleep(100);
        }
        if (running.getAsBoolean()) {
            throw new IllegalStateException("closed: " + (channel.isOpen() ? connection.getCloseReason()
                    : channel.getCloseReason()));
        }
    }

    /** Only a consumer that starves while there is something to consume moves: an idle queue is no reason. */
    private boolean queueHasMessages() {
        boolean othersFed = history.now() - history.lastDeliveryMillis() < settings.stallTimeout().toMillis();
        return othersFed || history.confirmedNotDelivered() > 0;
    }
}
