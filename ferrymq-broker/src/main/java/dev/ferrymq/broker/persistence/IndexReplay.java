package dev.ferrymq.broker.persistence;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Replays the records of a {@link QueueIndex} into its live entries, in queue order: an 'E' record adds its
 * position at the end, a repeated 'E' for a live position updates it in place, an 'A' removes it (so an 'E' after
 * its 'A', a message dead-lettered back into its own queue, goes to the end again). These are a
 * {@code LinkedHashMap}'s rules, kept in primitive arrays and an open-addressing table: compacting the index of a
 * queue drained of 200,000 messages spent 12% of the broker's CPU on boxed keys and map nodes (async-profiler).
 */
final class IndexReplay {
    private static final long NO_KEY = Long.MIN_VALUE; // store positions are never negative

    private long[] positions = new long[16];
    private long[] expiresAt = new long[16];
    private int[] priorities = new int[16];
    private int[] bodySizes = new int[16];
    private boolean[] removed = new boolean[16];
    private int count;
    /** Live position → its slot in the arrays above; linear probing, a power-of-two capacity. */
    private long[] keys;
    private int[] slots;
    private int live;

    private IndexReplay(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected) * 2 - 1) << 1;
        keys = new long[capacity];
        slots = new int[capacity];
        Arrays.fill(keys, NO_KEY);
    }

    static List<QueueIndex.Entry> replay(List<byte[]> records, byte enqueued) {
        IndexReplay replay = new IndexReplay(16);
        for (byte[] record : records) {
            ByteBuffer in = ByteBuffer.wrap(record);
            byte op = in.get();
            long position = in.getLong();
            if (op == enqueued) {
                long expires = in.getLong();
                boolean sized = in.remaining() >= 5; // records written before priority and size were kept lack them
                replay.enqueued(position, expires, sized ? in.get() & 0xFF : 0, sized ? in.getInt() : 0);
            } else {
                replay.removed(position);
            }
        }
        return replay.entries();
    }

    private void enqueued(long position, long expires, int priority, int bodySize) {
        int at = find(position);
        int slot;
        if (at >= 0) {
            slot = slots[at];
        } else {
            slot = count++;
            if (slot == positions.length) {
                grow();
            }
            put(position, slot);
        }
        positions[slot] = position;
        expiresAt[slot] = expires;
        priorities[slot] = priority;
        bodySizes[slot] = bodySize;
    }

    private void removed(long position) {
        int at = find(position);
        if (at >= 0) {
            removed[slots[at]] = true;
            delete(at);
        }
    }

    private List<QueueIndex.Entry> entries() {
        List<QueueIndex.Entry> entries = new ArrayList<>(live);
        for (int i = 0; i < count; i++) {
            if (!removed[i]) {
                entries.add(new QueueIndex.Entry(positions[i], expiresAt[i], priorities[i], bodySizes[i]));
            }
        }
        return entries;
    }

    private void grow() {
        int n = positions.length * 2;
        positions = Arrays.copyOf(positions, n);
        expiresAt = Arrays.copyOf(expiresAt, n);
        priorities = Arrays.copyOf(priorities, n);
        bodySizes = Arrays.copyOf(bodySizes, n);
        removed = Arrays.copyOf(removed, n);
    }

    // ---------------------------------------------------------------- the position → slot table

    private int home(long key) {
        return (int) ((key * 0x9E37_79B9_7F4A_7C15L) >>> 40) & (keys.length - 1);
    }

    /** The table index holding {@code key}, or -1. */
    private int find(long key) {
        int mask = keys.length - 1;
        for (int i = home(key); keys[i] != NO_KEY; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return i;
            }
        }
        return -1;
    }

    private void put(long key, int slot) {
        if (2 * (live + 1) > keys.length) {
            rehash(keys.length * 2);
        }
        int mask = keys.length - 1;
        int i = home(key);
        while (keys[i] != NO_KEY) {
            i = (i + 1) & mask;
        }
        keys[i] = key;
        slots[i] = slot;
        live++;
    }

    /** Removes the key at table index {@code i}, shifting later keys of its probe run back (no tombstones). */
    private void delete(int i) {
        int mask = keys.length - 1;
        int hole = i;
        for (int j = (i + 1) & mask; keys[j] != NO_KEY; j = (j + 1) & mask) {
            int h = home(keys[j]);
            boolean stays = hole <= j ? hole < h && h <= j : hole < h || h <= j;
            if (!stays) {
                keys[hole] = keys[j];
                slots[hole] = slots[j];
                hole = j;
            }
        }
        keys[hole] = NO_KEY;
        live--;
    }

    private void rehash(int capacity) {
        long[] oldKeys = keys;
        int[] oldSlots = slots;
        keys = new long[capacity];
        slots = new int[capacity];
        Arrays.fill(keys, NO_KEY);
        live = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != NO_KEY) {
                put(oldKeys[i], oldSlots[i]);
            }
        }
    }
}
