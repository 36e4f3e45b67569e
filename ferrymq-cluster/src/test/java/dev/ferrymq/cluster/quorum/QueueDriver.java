package dev.ferrymq.cluster.quorum;

import dev.ferrymq.cluster.quorum.Effect.DeadLetter;
import dev.ferrymq.cluster.quorum.Effect.Deliver;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Drives a {@link QuorumQueueState} the way the Ratis state machine does: every command goes through its
 * binary form and a leader-stamped log entry, at a time the test controls.
 */
final class QueueDriver {
    static final PublisherId PUBLISHER = new PublisherId("n1", 1, 1);

    QuorumQueueState state;
    long time = 1_000;
    private long seq;
    final List<Effect> effects = new ArrayList<>();

    QueueDriver() {
        this(new QuorumQueueState());
    }

    QueueDriver(QuorumQueueState state) {
        this.state = state;
    }

    static ConsumerId consumer(String node, String tag) {
        return new ConsumerId(node, 7, 1, tag);
    }

    Reply apply(QueueCommand command) {
        try {
            byte[] entry = CommandCodec.encodeEntry(time, CommandCodec.encode(command));
            ApplyResult result = state.apply(CommandCodec.decodeEntry(entry));
            effects.addAll(result.effects());
            return result.reply();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    QueueDriver configure(QueueConfig config) {
        apply(new QueueCommand.Configure(config));
        return this;
    }

    Reply publish(String body) {
        return publish(body, 0, -1);
    }

    Reply publish(String body, int priority, long expiration) {
        return apply(new QueueCommand.Enqueue(PUBLISHER, ++seq, priority, expiration,
                body.getBytes(StandardCharsets.UTF_8)));
    }

    void consume(ConsumerId consumer, int prefetch) {
        apply(new QueueCommand.Checkout(consumer, prefetch, 0, false));
    }

    void ack(ConsumerId consumer, long... ids) {
        apply(new QueueCommand.Settle(consumer, boxed(ids)));
    }

    void requeue(ConsumerId consumer, long... ids) {
        apply(new QueueCommand.Return(consumer, boxed(ids)));
    }

    void reject(ConsumerId consumer, long... ids) {
        apply(new QueueCommand.Discard(consumer, boxed(ids)));
    }

    /** Deliveries since the last call, then forgets all effects. */
    List<Deliver> takeDeliveries() {
        List<Deliver> found = ofType(Deliver.class);
        effects.clear();
        return found;
    }

    List<DeadLetter> takeDeadLetters() {
        List<DeadLetter> found = ofType(DeadLetter.class);
        effects.clear();
        return found;
    }

    <T extends Effect> List<T> ofType(Class<T> type) {
        return effects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static String body(Deliver d) {
        return new String(d.content(), StandardCharsets.UTF_8);
    }

    static String body(DeadLetter d) {
        return new String(d.content(), StandardCharsets.UTF_8);
    }

    static List<String> bodies(List<Deliver> deliveries) {
        return deliveries.stream().map(QueueDriver::body).toList();
    }

    byte[] snapshot() {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            SnapshotCodec.write(state, out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A second replica that starts from this one's snapshot, at the same time. */
    QueueDriver restoredCopy() {
        byte[] bytes = snapshot();
        try {
            QueueDriver copy = new QueueDriver(SnapshotCodec.read(new ByteArrayInputStream(bytes), bytes.length));
            copy.time = time;
            copy.seq = seq;
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Long> boxed(long[] ids) {
        List<Long> list = new ArrayList<>();
        for (long id : ids) {
            list.add(id);
        }
        return list;
    }

    /** Effects hold byte arrays, which records compare by identity: a readable form to compare instead. */
    static List<String> describe(List<Effect> effects) {
        return effects.stream().map(e -> {
            if (e instanceof Deliver d) {
                return "deliver " + d.consumer() + " " + d.messageId() + " " + Arrays.toString(d.content())
                        + " " + d.redelivered() + " " + d.deliveryCount();
            }
            if (e instanceof DeadLetter d) {
                return "dead " + d.messageId() + " " + Arrays.toString(d.content()) + " " + d.reason() + " "
                        + d.deliveryCount();
            }
            return e.toString();
        }).toList();
    }
}
