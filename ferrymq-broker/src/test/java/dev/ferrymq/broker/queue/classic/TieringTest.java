package dev.ferrymq.broker.queue.classic;

import dev.ferrymq.broker.Broker;
import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.store.StoreConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Which tier a new message goes to, and the heap accounting as entries leave and return. */
class TieringTest {
    @TempDir
    Path dir;
    private Broker broker;

    @AfterEach
    void close() throws IOException {
        if (broker != null) {
            broker.close();
        }
    }

    private Tiering tiering(long budget) throws IOException {
        broker = Broker.open(dir, StoreConfig.defaults(), budget);
        return new Tiering(broker.persistence());
    }

    private static Message message(int bodySize) {
        return new Message("", "", new byte[0], new byte[bodySize], false);
    }

    @Test
    void anInMemoryBrokerKeepsEverythingOnTheHeap() {
        Tiering tiering = new Tiering(null);
        for (int i = 0; i < 3; i++) {
            ClassicEntry entry = tiering.newEntry(null, i, message(4 * 1024 * 1024), Queue.NOT_STORED,
                    Message.NEVER, 0, false);
            assertThat(entry.messageIfLoaded()).isNotNull();
        }
    }

    @Test
    void pastTheQueueShareBodiesGoToDiskTransientToThePageFileStoredStayInTheStore() throws IOException {
        Tiering tiering = tiering(Long.MAX_VALUE);
        ClassicEntry big = tiering.newEntry(null, 0, message((int) Tiering.MAX_READY_BYTES_IN_MEMORY), Queue.NOT_STORED,
                Message.NEVER, 0, false);
        assertThat(big.messageIfLoaded()).isNotNull();
        assertThat(tiering.keepsInMemory(false)).isFalse();
        ClassicEntry paged = tiering.newEntry(null, 1, message(10), Queue.NOT_STORED, Message.NEVER, 0, false);
        assertThat(paged.paged()).isTrue();
        assertThat(paged.messageIfLoaded()).isNull();
        assertThat(tiering.load(paged).bodySize()).isEqualTo(10);
        ClassicEntry stored = tiering.newEntry(null, 2, message(10), 12_345, Message.NEVER, 0, false);
        assertThat(stored.stored()).isTrue();
        assertThat(stored.messageIfLoaded()).isNull();
    }

    @Test
    void aWaitingConsumerKeepsTheNextMessageInMemoryEvenUnderPressure() throws IOException {
        Tiering tiering = tiering(0);
        tiering.newEntry(null, 0, message(10), Queue.NOT_STORED, Message.NEVER, 0, false); // the first byte fits
        assertThat(tiering.keepsInMemory(false)).isFalse();
        ClassicEntry entry = tiering.newEntry(null, 1, message(10), Queue.NOT_STORED, Message.NEVER, 0, true);
        assertThat(entry.messageIfLoaded()).isNotNull();
    }

    @Test
    void heapBytesFollowEntriesOutAndBack() throws IOException {
        Tiering tiering = tiering(Long.MAX_VALUE);
        ClassicEntry entry = tiering.newEntry(null, 0, message(1_000), Queue.NOT_STORED, Message.NEVER, 0, false);
        assertThat(broker.persistence().paging().bytesOnHeap()).isEqualTo(1_000);
        tiering.leftReady(entry);
        assertThat(broker.persistence().paging().bytesOnHeap()).isZero();
        tiering.backInReady(entry);
        assertThat(broker.persistence().paging().bytesOnHeap()).isEqualTo(1_000);
        tiering.readyCleared();
        assertThat(broker.persistence().paging().bytesOnHeap()).isZero();
    }
}
