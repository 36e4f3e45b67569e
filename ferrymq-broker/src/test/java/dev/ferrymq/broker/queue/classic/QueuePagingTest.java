package dev.ferrymq.broker.queue.classic;

import dev.ferrymq.broker.Broker;
import dev.ferrymq.broker.FakeConsumer;
import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.queue.QueueConsumer;
import dev.ferrymq.broker.queue.QueueEntry;
import dev.ferrymq.broker.persistence.PagedMessages;
import dev.ferrymq.store.StoreConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Transient messages go to the page file only under memory pressure, and come back intact and in order. */
class QueuePagingTest {
    private static final int BODY = 10 * 1024;
    private static final long SEGMENT = 256 * 1024;

    @TempDir
    Path dir;
    private Broker broker;

    @AfterEach
    void close() throws IOException {
        if (broker != null) {
            broker.close();
        }
    }

    private Queue open(long budget, String queueName, boolean durable) throws IOException {
        if (broker == null) {
            broker = Broker.open(dir, StoreConfig.defaults().withSegmentSize(SEGMENT), budget);
        }
        return broker.virtualHost("/").declareQueue(queueName, false, durable, false, false, Map.of(), null).queue();
    }

    private PagedMessages paging() {
        return broker.persistence().paging();
    }

    private static Message transientMessage(int n) {
        byte[] body = new byte[BODY];
        Arrays.fill(body, (byte) ('a' + n % 26));
        byte[] tag = Integer.toString(n).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(tag, 0, body, 0, tag.length);
        return new Message("", "q", new byte[0], body, false);
    }

    private static int number(QueueEntry entry) {
        String body = new String(entry.message().body(), StandardCharsets.US_ASCII);
        int end = 0;
        while (Character.isDigit(body.charAt(end))) {
            end++;
        }
        return Integer.parseInt(body.substring(0, end));
    }

    private long pageFileBytes() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("paging"))) {
            return files.filter(p -> p.toString().endsWith(".seg")).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    @Test
    void shallowQueueWritesNothingToThePageFile() throws IOException {
        Queue queue = open(Long.MAX_VALUE, "q", false);
        for (int i = 0; i < 100; i++) {
            queue.publish(transientMessage(i), Queue.NOT_STORED, null);
        }
        assertThat(pageFileBytes()).isLessThan(1024); // the segment header only
        assertThat(paging().bytesOnHeap()).isEqualTo(100L * BODY);
    }

    @Test
    void deepQueuePagesOutAndDeliversEverythingInOrder() throws IOException {
        Queue queue = open(Long.MAX_VALUE, "q", false);
        int count = 2_000; // 20 MiB of bodies, far over the 8 MiB a queue keeps on the heap
        for (int i = 0; i < count; i++) {
            queue.publish(transientMessage(i), Queue.NOT_STORED, null);
        }
        assertThat(paging().bytesOnHeap()).isLessThanOrEqualTo(8L * 1024 * 1024 + BODY);
        assertThat(pageFileBytes()).isGreaterThan(10L * 1024 * 1024);

        for (int i = 0; i < count; i++) {
            QueueEntry entry = queue.get(false);
            assertThat(number(entry)).isEqualTo(i);
            queue.settle(entry);
        }
        assertThat(queue.get(false)).isNull();
        assertThat(paging().bytesOnHeap()).isZero();
        // Every fully acknowledged segment is gone; only the active one may remain.
        assertThat(pageFileBytes()).isLessThanOrEqualTo(SEGMENT);
    }

    @Test
    void noAckGetOfAPagedMessageStillReadsIt() throws IOException {
        Queue queue = open(0, "q", false); // no budget: everything after the first byte pages out
        queue.publish(transientMessage(0), Queue.NOT_STORED, null);
        queue.publish(transientMessage(1), Queue.NOT_STORED, null);
        QueueEntry first = queue.get(true);
        QueueEntry second = queue.get(true);
        assertThat(number(first)).isZero();
        assertThat(number(second)).isEqualTo(1);
    }

    @Test
    void brokerWideBudgetPagesOutAcrossQueues() throws IOException {
        Queue a = open(BODY * 50L, "a", false);
        Queue b = open(BODY * 50L, "b", false);
        for (int i = 0; i < 40; i++) {
            a.publish(transientMessage(i), Queue.NOT_STORED, null);
        }
        assertThat(pageFileBytes()).isLessThan(1024);
        for (int i = 0; i < 40; i++) {
            b.publish(transientMessage(i), Queue.NOT_STORED, null);
        }
        // Neither queue is deep on its own, but together they passed the budget.
        assertThat(pageFileBytes()).isGreaterThan(25L * BODY);
        assertThat(paging().bytesOnHeap()).isLessThanOrEqualTo(51L * BODY);
        for (int i = 0; i < 40; i++) {
            assertThat(number(b.get(true))).isEqualTo(i);
        }
    }

    @Test
    void requeuedPagedMessageComesBackFirst() throws IOException {
        Queue queue = open(0, "q", false);
        for (int i = 0; i < 3; i++) {
            queue.publish(transientMessage(i), Queue.NOT_STORED, null);
        }
        QueueEntry first = queue.get(false);
        queue.requeue(java.util.List.of(first));
        QueueEntry again = queue.get(false);
        assertThat(number(again)).isZero();
        assertThat(again.redelivered()).isTrue();
    }

    @Test
    void purgeAndDeleteReleaseThePageFile() throws IOException {
        Queue queue = open(0, "q", false);
        for (int i = 0; i < 200; i++) { // 2 MiB: several 256 KiB segments
            queue.publish(transientMessage(i), Queue.NOT_STORED, null);
        }
        assertThat(pageFileBytes()).isGreaterThan(4 * SEGMENT);
        assertThat(queue.purge()).isEqualTo(200);
        assertThat(pageFileBytes()).isLessThanOrEqualTo(SEGMENT);

        for (int i = 0; i < 200; i++) {
            queue.publish(transientMessage(i), Queue.NOT_STORED, null);
        }
        broker.virtualHost("/").deleteQueue("q", false, false, null);
        assertThat(pageFileBytes()).isLessThanOrEqualTo(SEGMENT);
    }

    @Test
    void pagedTransientMessagesDoNotSurviveARestart() throws IOException {
        Queue queue = open(0, "durable-q", true);
        for (int i = 0; i < 100; i++) {
            queue.publish(transientMessage(i), Queue.NOT_STORED, null);
        }
        assertThat(pageFileBytes()).isGreaterThan(50L * BODY);
        broker.close();
        broker = null;
        assertThat(dir.resolve("paging")).doesNotExist();

        Queue recovered = open(0, "durable-q", true);
        assertThat(recovered.messageCount()).isZero();
        assertThat(pageFileBytes()).isLessThan(1024);
    }

    @Test
    void nearTheHeapBudgetAShallowerBacklogPausesPublishers() throws IOException {
        Queue queue = open(4L * 1024 * 1024, "q", false); // budget: 400 bodies; "near" from 200
        FakeConsumer consumer = new FakeConsumer("slow");
        consumer.credit(10);
        queue.addConsumer(consumer, false);
        for (int i = 0; i < 180; i++) {
            queue.publish(transientMessage(i), Queue.NOT_STORED, null);
        }
        assertThat(queue.congested()).as("170 ready, below half the budget").isFalse();
        for (int i = 180; i < 240; i++) {
            queue.publish(transientMessage(i), Queue.NOT_STORED, null);
        }
        assertThat(queue.congested()).as("230 ready, past half the budget: far below the usual 2,000").isTrue();

        consumer.credit(140);
        queue.dispatch();
        assertThat(queue.congested()).as("90 ready").isFalse();
    }

    /** A no-ack consumer that notes whether each entry it was offered had its message in memory already. */
    private static final class NoAckRecorder implements QueueConsumer {
        final java.util.List<Integer> numbers = new java.util.ArrayList<>();
        int offeredOnDiskOnly;

        @Override
        public String tag() {
            return "no-ack";
        }

        @Override
        public boolean noAck() {
            return true;
        }

        @Override
        public synchronized boolean tryDeliver(QueueEntry entry) {
            if (entry.messageIfLoaded() == null) {
                offeredOnDiskOnly++; // it would have to read the body here, under the queue lock
            }
            numbers.add(number(entry));
            return true;
        }

        @Override
        public void cancelledByServer(Queue queue) {
        }
    }

    @Test
    void aNoAckConsumerIsHandedPagedMessagesAlreadyReadOffTheQueueLock() throws IOException {
        Queue queue = open(0, "q", false); // no budget: everything pages out
        int count = DiskReads.MAX_ENTRIES * 3 + 5;
        for (int i = 0; i < count; i++) {
            queue.publish(transientMessage(i), Queue.NOT_STORED, null);
        }
        assertThat(pageFileBytes()).as("all but the first paged out").isGreaterThan((long) count / 2 * BODY);
        NoAckRecorder consumer = new NoAckRecorder();
        queue.addConsumer(consumer, false);
        assertThat(consumer.offeredOnDiskOnly).isZero();
        assertThat(consumer.numbers).hasSize(count);
        for (int i = 0; i < count; i++) {
            assertThat(consumer.numbers.get(i)).isEqualTo(i);
        }
        assertThat(queue.messageCount()).isZero();
        assertThat(queue.unackedCount()).isZero();
        assertThat(paging().bytesOnHeap()).isZero();
    }

    @Test
    void aNoAckGetReadsAPagedBodyAndReleasesIt() throws IOException {
        Queue queue = open(0, "q", false);
        queue.publish(transientMessage(7), Queue.NOT_STORED, null);
        QueueEntry entry = queue.get(true);
        assertThat(entry.messageIfLoaded()).as("read before it is handed out").isNotNull();
        assertThat(number(entry)).isEqualTo(7);
        assertThat(queue.unackedCount()).isZero();
        assertThat(queue.messageCount()).isZero();
    }
}
