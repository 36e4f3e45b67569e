package dev.ferrymq.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * The point of snapshots: a replica of a queue holding a million messages restarts from one snapshot, not from
 * a million log entries.
 */
class LargeQueueSnapshotTest {

    @Test
    void aMillionMessageQueueRestoresFromOneSnapshot() throws IOException {
        int messages = 1_000_000;
        QuorumQueueState state = new QuorumQueueState();
        PublisherId publisher = new PublisherId("n1", 1, 1);
        byte[] body = new byte[16];
        long started = System.nanoTime();
        for (int i = 1; i <= messages; i++) {
            state.apply(new LogEntry(i, new QueueCommand.Enqueue(publisher, i, 0, -1, body)));
        }
        long applied = System.nanoTime();

        ByteArrayOutputStream out = new ByteArrayOutputStream(64 << 20);
        SnapshotCodec.write(state, out);
        byte[] snapshot = out.toByteArray();
        long written = System.nanoTime();
        QuorumQueueState restored = SnapshotCodec.read(new ByteArrayInputStream(snapshot), snapshot.length);
        long read = System.nanoTime();

        assertThat(restored.readyCount()).isEqualTo(messages);
        assertThat(restored.apply(new LogEntry(messages + 1, new QueueCommand.Enqueue(publisher, messages, 0, -1,
                body))).reply().code()).isEqualTo(Reply.Code.DUPLICATE);
        System.out.printf("1M messages: apply %d ms, snapshot %d MB written in %d ms, read in %d ms%n",
                (applied - started) / 1_000_000, snapshot.length >> 20, (written - applied) / 1_000_000,
                (read - written) / 1_000_000);
    }
}
