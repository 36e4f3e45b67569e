package dev.ferrymq.broker;

import dev.ferrymq.broker.queue.Queue;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymq.store.RecordFile;
import dev.ferrymq.store.StoreConfig;
import dev.ferrymq.store.Syncer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A power loss can keep a queue index's last records but lose the end of the message log they point into. The
 * broker must still start, with the messages that are there, instead of failing on (or forever redelivering)
 * entries whose message is gone.
 */
class IndexBeyondStoreRecoveryTest {
    @TempDir
    Path dir;

    private static Message persistent(String body) {
        return new Message("", "", new byte[0], body.getBytes(StandardCharsets.UTF_8), true);
    }

    /** Appends index records the way {@code QueueIndex} writes them: one past the log's end, one in no segment. */
    private void appendDanglingEntries(Path index) throws IOException {
        long pastTheEnd = (1L << 32) | 0x7FFF_0000L; // segment 1, an offset far beyond what was written
        long noSegment = (99L << 32) | 12L;
        try (Syncer syncer = new Syncer(StoreConfig.defaults()); RecordFile file = RecordFile.open(index, syncer)) {
            for (long position : new long[] {pastTheEnd, noSegment}) {
                file.append(ByteBuffer.allocate(22).put((byte) 'E').putLong(position).putLong(0).put((byte) 0)
                        .putInt(5).array());
            }
        }
    }

    @Test
    void entriesWhoseMessageIsNotInTheStoreAreDroppedAtRecovery() throws IOException {
        try (Broker broker = Broker.open(dir, StoreConfig.defaults())) {
            VirtualHost vhost = broker.virtualHost("/");
            vhost.declareQueue("q", false, true, false, false, Map.of(), null);
            vhost.publisher().route("", "q", persistent("one"), null, null);
            vhost.publisher().route("", "q", persistent("two"), null, null);
        }
        List<Path> indexes;
        try (Stream<Path> files = Files.walk(dir)) {
            indexes = files.filter(p -> p.toString().endsWith(".idx")).toList();
        }
        assertThat(indexes).hasSize(1);
        appendDanglingEntries(indexes.get(0));

        try (Broker broker = Broker.open(dir, StoreConfig.defaults())) {
            Queue queue = broker.virtualHost("/").queue("q", null);
            assertThat(queue.messageCount()).isEqualTo(2);
            assertThat(Messages.body(queue.get(true))).isEqualTo("one");
            assertThat(Messages.body(queue.get(true))).isEqualTo("two");
            assertThat(queue.get(true)).isNull();
        }
        try (Broker broker = Broker.open(dir, StoreConfig.defaults())) {
            assertThat(broker.virtualHost("/").queue("q", null).messageCount())
                    .as("the dropped entries are gone from the index too").isZero();
        }
    }
}
