package dev.ferrymq.server.amqp.channel;

import dev.ferrymq.amqp.AmqpException;
import dev.ferrymq.amqp.ReplyCode;
import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.MessageCounters;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.queue.QueueEntry;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link UnackedTable} without a socket or a real queue: which calls reach the queues, and in what groups. */
class UnackedTableTest {
    private final ChannelCredit credit = new ChannelCredit();
    private final MessageCounters totals = new MessageCounters();
    private final UnackedTable table = new UnackedTable(credit, totals);
    private final RecordingQueue a = new RecordingQueue("a");
    private final RecordingQueue b = new RecordingQueue("b");
    private final ChannelConsumer consumer = new ChannelConsumer(null, null, "ctag", null, false, 10, 0, null);

    /** A queue that records settle/reject/requeue calls as "method:seq,seq". */
    private static final class RecordingQueue {
        final List<String> calls = new ArrayList<>();
        final MessageCounters counters = new MessageCounters();
        final Queue queue;

        @SuppressWarnings("unchecked")
        RecordingQueue(String name) {
            queue = (Queue) Proxy.newProxyInstance(Queue.class.getClassLoader(), new Class<?>[] {Queue.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "counters" -> counters;
                        case "name", "toString" -> name;
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> {
                            Object arg = args[0];
                            String seqs = arg instanceof List<?> list
                                    ? String.join(",", ((List<QueueEntry>) list).stream()
                                    .map(e -> String.valueOf(e.seq())).toList())
                                    : String.valueOf(((QueueEntry) arg).seq());
                            calls.add(method.getName() + ":" + seqs);
                            yield null;
                        }
                    });
        }
    }

    private static QueueEntry entry(RecordingQueue queue, long seq) {
        return new QueueEntry() {
            @Override public Queue queue() { return queue.queue; }
            @Override public long seq() { return seq; }
            @Override public Message message() { return null; }
            @Override public Message messageIfLoaded() { return null; }
            @Override public boolean redelivered() { return false; }
        };
    }

    private long deliver(RecordingQueue queue, long seq) {
        assertThat(credit.reserve(consumer)).isTrue();
        long tag = table.nextTag();
        table.add(tag, entry(queue, seq), consumer);
        return tag;
    }

    @Test
    void multipleAckSettlesEachRunFromOneQueueInOneCall() {
        deliver(a, 1);
        deliver(a, 2);
        deliver(b, 3);
        long fourth = deliver(a, 4);
        deliver(a, 5);
        table.ack(fourth, true);
        assertThat(a.calls).containsExactly("settleAll:1,2", "settle:4");
        assertThat(b.calls).containsExactly("settle:3");
        assertThat(table.size()).isEqualTo(1);
        assertThat(a.counters.acked.sum()).isEqualTo(3);
        assertThat(totals.acked.sum()).isEqualTo(4);
        assertThat(consumer.inFlight()).isEqualTo(1);
    }

    @Test
    void multipleAckWithTagZeroSettlesEverything() {
        deliver(a, 1);
        deliver(a, 2);
        table.ack(0, true);
        assertThat(a.calls).containsExactly("settleAll:1,2");
        assertThat(table.size()).isZero();
    }

    @Test
    void unknownOrAlreadySettledTagIs406() {
        long tag = deliver(a, 1);
        table.ack(tag, false);
        assertThatThrownBy(() -> table.ack(tag, false)).isInstanceOfSatisfying(AmqpException.class, e -> {
            assertThat(e.replyCode()).isEqualTo(ReplyCode.PRECONDITION_FAILED);
            assertThat(e.replyText()).isEqualTo("PRECONDITION_FAILED - unknown delivery tag 1");
            assertThat(e.connectionLevel()).isFalse();
        });
        assertThatThrownBy(() -> table.ack(7, true)).isInstanceOf(AmqpException.class); // beyond the last tag
        assertThatThrownBy(() -> table.checkKnown(1, false)).isInstanceOf(AmqpException.class);
    }

    @Test
    void rejectWithoutRequeueRejectsEachEntryAndWithRequeueRequeuesThemPerQueueInOrder() {
        deliver(a, 1);
        deliver(b, 2);
        long third = deliver(a, 3);
        long fourth = deliver(a, 4);
        table.reject(third, true, true);
        assertThat(a.calls).containsExactly("requeue:1,3");
        assertThat(b.calls).containsExactly("requeue:2");
        table.reject(fourth, false, false);
        assertThat(a.calls).containsExactly("requeue:1,3", "reject:4");
    }

    @Test
    void recoverRequeuesEverythingAndReturnsTheCredit() {
        deliver(a, 1);
        deliver(a, 2);
        credit.takeReturned();
        table.recover(true);
        assertThat(a.calls).containsExactly("requeue:1,2");
        assertThat(table.size()).isZero();
        assertThat(consumer.inFlight()).isZero();
        assertThat(credit.takeReturned()).isTrue();
    }

    @Test
    void recoverWithoutRequeueIsNotImplemented() {
        assertThatThrownBy(() -> table.recover(false)).isInstanceOfSatisfying(AmqpException.class,
                e -> assertThat(e.replyCode()).isEqualTo(ReplyCode.NOT_IMPLEMENTED));
    }

    @Test
    void basicGetDeliveriesTakeNoCredit() {
        long tag = table.nextTag();
        table.add(tag, entry(a, 1), null);
        table.ack(tag, false);
        assertThat(a.calls).containsExactly("settle:1");
        assertThat(credit.takeReturned()).isFalse();
    }

    @Test
    void oldestDeliveryDecidesTheConsumerTimeout() {
        deliver(a, 1);
        long now = System.nanoTime();
        assertThat(table.oldestOlderThan(now, 60_000_000_000L)).isFalse();
        assertThat(table.oldestOlderThan(now + 61_000_000_000L, 60_000_000_000L)).isTrue();
    }
}
