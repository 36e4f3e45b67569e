package dev.ferrymq.store.schedule;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The two records of a bucket file (each inside the store's usual length + CRC frame, see {@code RecordFile}).
 *
 * <pre>
 *   entry:  'M' | due i64 (epoch ms) | flags u8 (1 = durable) | key length u16 | key utf-8 | payload
 *   fired:  'F' | through due i64 | before offset i64
 * </pre>
 *
 * A fired record says that every entry whose frame starts below file offset {@code before} and that was due at or
 * before {@code through} has been handed out and settled; the last one in a file covers all earlier ones,
 * because entries are handed out in due order and every entry present at that moment with a due time passed is
 * handed out together.
 */
final class ScheduledRecord {
    static final byte ENTRY = 'M';
    static final byte FIRED = 'F';
    static final int DURABLE = 1;

    private ScheduledRecord() {
    }

    static byte[] entry(long due, boolean durable, String key, byte[] payload) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        if (k.length > 0xFFFF) {
            throw new IllegalArgumentException("key longer than 65535 bytes");
        }
        ByteBuffer b = ByteBuffer.allocate(1 + 8 + 1 + 2 + k.length + payload.length);
        b.put(ENTRY).putLong(due).put((byte) (durable ? DURABLE : 0)).putShort((short) k.length).put(k).put(payload);
        return b.array();
    }

    static byte[] fired(long throughDue, long beforeOffset) {
        return ByteBuffer.allocate(1 + 8 + 8).put(FIRED).putLong(throughDue).putLong(beforeOffset).array();
    }

    static boolean isEntry(byte[] record) {
        return record[0] == ENTRY;
    }

    static long due(byte[] record) {
        return ByteBuffer.wrap(record, 1, 8).getLong();
    }

    static boolean durable(byte[] record) {
        return (record[9] & DURABLE) != 0;
    }

    static String key(byte[] record) {
        int length = ((record[10] & 0xFF) << 8) | (record[11] & 0xFF);
        return new String(record, 12, length, StandardCharsets.UTF_8);
    }

    static byte[] payload(byte[] record) {
        int length = ((record[10] & 0xFF) << 8) | (record[11] & 0xFF);
        int from = 12 + length;
        byte[] payload = new byte[record.length - from];
        System.arraycopy(record, from, payload, 0, payload.length);
        return payload;
    }

    static long firedBefore(byte[] record) {
        return ByteBuffer.wrap(record, 9, 8).getLong();
    }
}
