package dev.ferrymq.broker.persistence;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class IndexReplayTest {
    private static final byte E = 'E';
    private static final byte A = 'A';

    private static byte[] enqueued(long position, long expiresAt, int priority, int size) {
        return ByteBuffer.allocate(22).put(E).putLong(position).putLong(expiresAt).put((byte) priority).putInt(size)
                .array();
    }

    private static byte[] removed(long position) {
        return ByteBuffer.allocate(9).put(A).putLong(position).array();
    }

    @Test
    void liveEntriesComeBackInQueueOrder() {
        List<byte[]> records = List.of(enqueued(10, 0, 0, 5), enqueued(20, 7, 3, 6), enqueued(30, 0, 0, 7),
                removed(20), removed(99), enqueued(10, 1, 1, 8), removed(30), enqueued(30, 0, 2, 9));
        assertThat(IndexReplay.replay(records, E)).containsExactly(
                new QueueIndex.Entry(10, 1, 1, 8), // updated in place, keeps its first place
                new QueueIndex.Entry(30, 0, 2, 9)); // enqueued again after its removal: at the end
    }

    @Test
    void oldEnqueueRecordsWithoutPriorityAndSizeReadAsZero() {
        byte[] old = ByteBuffer.allocate(17).put(E).putLong(5).putLong(123).array();
        assertThat(IndexReplay.replay(List.of(old), E)).containsExactly(new QueueIndex.Entry(5, 123, 0, 0));
    }

    /** Random histories, FIFO-like and not, against the LinkedHashMap the replay used to be. */
    @Test
    void agreesWithALinkedHashMapOnRandomHistories() {
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            List<byte[]> records = new ArrayList<>();
            LinkedHashMap<Long, QueueIndex.Entry> expected = new LinkedHashMap<>();
            long next = random.nextInt(3) == 0 ? (7L << 32) : 0; // some histories with segment ids in the high bits
            List<Long> positions = new ArrayList<>();
            int ops = 1 + random.nextInt(5_000);
            for (int i = 0; i < ops; i++) {
                int choice = random.nextInt(10);
                if (choice < 5 || positions.isEmpty()) {
                    long position = next;
                    next += 1 + random.nextInt(3_000);
                    positions.add(position);
                    add(records, expected, position, random);
                } else if (choice < 8) {
                    int pick = random.nextInt(10) < 8 ? 0 : random.nextInt(positions.size()); // mostly the head
                    long position = positions.get(pick);
                    records.add(removed(position));
                    expected.remove(position);
                    if (random.nextBoolean()) {
                        positions.remove(pick);
                    }
                } else {
                    add(records, expected, positions.get(random.nextInt(positions.size())), random);
                }
            }
            assertThat(IndexReplay.replay(records, E)).as("round %d", round)
                    .containsExactlyElementsOf(expected.values());
        }
    }

    private static void add(List<byte[]> records, LinkedHashMap<Long, QueueIndex.Entry> expected, long position,
                            Random random) {
        QueueIndex.Entry entry = new QueueIndex.Entry(position, random.nextInt(1000), random.nextInt(10),
                random.nextInt(100_000));
        records.add(enqueued(position, entry.expiresAt(), entry.priority(), entry.bodySize()));
        expected.put(position, entry);
    }
}
