package dev.ferrymq.broker.dedup;

/**
 * A bounded set of message identities (64-bit fingerprints, see {@link Identity}) with an expiry each, in
 * primitive arrays: about 40 bytes per entry, so a 1,000,000-entry cache is about 40 MB of heap, allocated as it
 * fills. When full, the oldest entry (insertion order) makes room, as the plugin drops "unspecified existing
 * entries"; an expired entry counts as absent.
 *
 * <pre>
 *   ring (FIFO, insertion order)        index (open addressing, linear probing, load &lt;= 1/2)
 *   slot: fingerprint | expires at  ◄── fingerprint → slot
 * </pre>
 *
 * <p>Thread-safety: thread-safe (every method synchronizes on the cache).
 */
final class IdentityCache {
    static final long NEVER = Long.MAX_VALUE;
    private static final long EMPTY = 0;
    private static final int INITIAL = 1024;

    private final int capacity;
    private long[] ringKeys;
    private long[] ringExpiry;
    private int head;
    private int size;
    private long[] tableKeys;
    private int[] tableSlots;
    private int mask;
    private int live;

    IdentityCache(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
        allocate(Math.min(capacity, INITIAL));
    }

    /**
     * Adds {@code identity} unless it is present and not expired at {@code now}.
     *
     * @return true if added (the message is new), false for a duplicate
     */
    synchronized boolean addIfAbsent(long identity, long expiresAt, long now) {
        long key = identity == EMPTY ? 1 : identity;
        int at = find(key);
        if (at >= 0) {
            int slot = tableSlots[at];
            if (ringExpiry[slot] > now) {
                return false;
            }
            removeAt(at);
            ringKeys[slot] = EMPTY; // the expired entry's ring slot stays until it is the oldest
            live--;
        }
        put(key, expiresAt);
        return true;
    }

    /** Puts {@code identity} as the newest entry, as {@link #addIfAbsent} does for a new one (replaying a journal). */
    synchronized void restore(long identity, long expiresAt) {
        long key = identity == EMPTY ? 1 : identity;
        int at = find(key);
        if (at >= 0) {
            ringExpiry[tableSlots[at]] = expiresAt;
            return;
        }
        put(key, expiresAt);
    }

    private void put(long key, long expiresAt) {
        if (size == ringKeys.length) {
            if (ringKeys.length < capacity) {
                allocate((int) Math.min(capacity, 2L * ringKeys.length));
            } else {
                evictOldest();
            }
        }
        int slot = (head + size) % ringKeys.length;
        size++;
        ringKeys[slot] = key;
        ringExpiry[slot] = expiresAt;
        insert(key, slot);
        live++;
    }

    /** Live (not yet evicted) entries, expired ones included until they are found or evicted. */
    synchronized int size() {
        return live;
    }

    /** The entries in insertion order, for compacting a journal: {fingerprint, expires at} pairs. */
    synchronized long[] snapshot() {
        long[] out = new long[2 * live];
        int n = 0;
        for (int i = 0; i < size; i++) {
            int slot = (head + i) % ringKeys.length;
            if (ringKeys[slot] != EMPTY) {
                out[n++] = ringKeys[slot];
                out[n++] = ringExpiry[slot];
            }
        }
        return out;
    }

    private void evictOldest() {
        int slot = head;
        head = (head + 1) % ringKeys.length;
        size--;
        if (ringKeys[slot] != EMPTY) {
            removeAt(find(ringKeys[slot]));
            ringKeys[slot] = EMPTY;
            live--;
        }
    }

    /** (Re)allocates the ring at {@code ringSize} slots, keeping the entries in order, and rebuilds the index. */
    private void allocate(int ringSize) {
        long[] keys = new long[ringSize];
        long[] expiry = new long[ringSize];
        int n = 0;
        for (int i = 0; i < size; i++) {
            int slot = (head + i) % ringKeys.length;
            if (ringKeys[slot] != EMPTY) {
                keys[n] = ringKeys[slot];
                expiry[n] = ringExpiry[slot];
                n++;
            }
        }
        ringKeys = keys;
        ringExpiry = expiry;
        head = 0;
        size = n;
        int tableSize = Integer.highestOneBit(Math.max(2, ringSize) * 2 - 1) << 1;
        tableKeys = new long[tableSize];
        tableSlots = new int[tableSize];
        mask = tableSize - 1;
        for (int slot = 0; slot < n; slot++) {
            insert(keys[slot], slot);
        }
    }

    private static int home(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    private int find(long key) {
        for (int i = home(key) & mask; tableKeys[i] != EMPTY; i = (i + 1) & mask) {
            if (tableKeys[i] == key) {
                return i;
            }
        }
        return -1;
    }

    private void insert(long key, int slot) {
        int i = home(key) & mask;
        while (tableKeys[i] != EMPTY) {
            i = (i + 1) & mask;
        }
        tableKeys[i] = key;
        tableSlots[i] = slot;
    }

    /** Linear-probing deletion by backward shift: no tombstones, so probes never lengthen. */
    private void removeAt(int i) {
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            if (tableKeys[j] == EMPTY) {
                break;
            }
            int k = home(tableKeys[j]) & mask;
            boolean staysPut = i <= j ? (i < k && k <= j) : (i < k || k <= j);
            if (!staysPut) {
                tableKeys[i] = tableKeys[j];
                tableSlots[i] = tableSlots[j];
                i = j;
            }
        }
        tableKeys[i] = EMPTY;
    }
}
