package dev.ferrymq.broker;

import dev.ferrymq.broker.queue.QueueEntry;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.store.StoreConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** A publish batch settles once every stored entry made from it has left its queue for good, and not before. */
class PublishBatchTest {
    @TempDir
    Path dir;
    private Broker broker;
    private VirtualHost vhost;
    private final AtomicInteger settled = new AtomicInteger();
    private final PublishBatch batch = new PublishBatch(settled::incrementAndGet);

    @BeforeEach
    void open() throws IOException {
        broker = Broker.open(dir, StoreConfig.defaults());
        vhost = broker.virtualHost("/");
        vhost.declareQueue("a", false, true, false, false, Map.of(), null);
        vhost.declareQueue("b", false, true, false, false, Map.of(), null);
        vhost.declareQueue("transient", false, false, false, false, Map.of(), null);
        vhost.declareExchange("fan", "fanout", false, true, false, false, Map.of());
        vhost.bindQueue("a", "fan", "", Map.of(), null);
        vhost.bindQueue("b", "fan", "", Map.of(), null);
    }

    @AfterEach
    void close() throws IOException {
        broker.close();
    }

    private static Message persistent(String body) {
        return new Message("", "", new byte[0], body.getBytes(StandardCharsets.UTF_8), true);
    }

    private Queue queue(String name) {
        return vhost.queue(name, null);
    }

    @Test
    void settlesWhenEveryStoredEntryIsAcknowledged() {
        vhost.publisher().route("", "a", persistent("1"), null, batch);
        vhost.publisher().route("", "a", persistent("2"), null, batch);
        batch.close();
        QueueEntry first = queue("a").get(false);
        queue("a").settle(first);
        assertThat(settled).hasValue(0);
        queue("a").settle(queue("a").get(false));
        assertThat(settled).hasValue(1);
    }

    @Test
    void waitsForEveryQueueAMessageWasRoutedTo() {
        vhost.publisher().route("fan", "", persistent("x"), null, batch);
        batch.close();
        queue("a").settle(queue("a").get(false));
        assertThat(settled).hasValue(0);
        queue("b").get(true); // auto-ack
        assertThat(settled).hasValue(1);
    }

    @Test
    void staysOpenWhileThePublisherHoldsIt() {
        vhost.publisher().route("", "a", persistent("1"), null, batch);
        queue("a").settle(queue("a").get(false));
        assertThat(settled).hasValue(0);
        batch.close();
        assertThat(settled).hasValue(1);
    }

    @Test
    void requeuedEntryStillCounts() {
        vhost.publisher().route("", "a", persistent("1"), null, batch);
        batch.close();
        QueueEntry entry = queue("a").get(false);
        queue("a").requeue(java.util.List.of(entry));
        assertThat(settled).hasValue(0);
        queue("a").settle(queue("a").get(false));
        assertThat(settled).hasValue(1);
    }

    @Test
    void purgeAndDeleteSettle() {
        vhost.publisher().route("fan", "", persistent("x"), null, batch);
        batch.close();
        vhost.purgeQueue("a", null);
        assertThat(settled).hasValue(0);
        vhost.deleteQueue("b", false, false, null);
        assertThat(settled).hasValue(1);
    }

    @Test
    void unstoredMessagesDoNotJoin() {
        vhost.publisher().route("", "transient", persistent("1"), null, batch);
        batch.close();
        assertThat(settled).hasValue(1);
        assertThat(queue("transient").messageCount()).isEqualTo(1);
    }
}
