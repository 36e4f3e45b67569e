package dev.ferrymq.broker.queue.stream;

import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.persistence.MessageCodec;

import java.nio.ByteBuffer;

/**
 * One message of a stream as stored in its segment log: its offset and timestamp ahead of the message record
 * ({@link MessageCodec}).
 *
 * <pre>
 * 0      1             9                 17
 * +------+-------------+-----------------+-------------------------------+
 * | ver  | offset      | timestamp       | message (MessageCodec record) |
 * | u8=1 | i64         | i64 epoch ms    |                               |
 * +------+-------------+-----------------+-------------------------------+
 * </pre>
 *
 * @param payloadLength the stored record's length, to find the record after it
 */
record StreamRecord(long offset, long timestamp, Message message, int payloadLength) {
    private static final byte VERSION = 1;
    private static final int HEADER = 1 + 8 + 8;

    static byte[] encode(long offset, long timestamp, Message message) {
        byte[] encoded = MessageCodec.encode(message);
        return ByteBuffer.allocate(HEADER + encoded.length).put(VERSION).putLong(offset).putLong(timestamp)
                .put(encoded).array();
    }

    static StreamRecord decode(byte[] payload) {
        ByteBuffer in = ByteBuffer.wrap(payload);
        byte version = in.get();
        if (version != VERSION) {
            throw new IllegalArgumentException("unknown stream record version " + version);
        }
        long offset = in.getLong();
        long timestamp = in.getLong();
        byte[] message = new byte[payload.length - HEADER];
        in.get(message);
        return new StreamRecord(offset, timestamp, MessageCodec.decode(message), payload.length);
    }

    /** The offset and timestamp only, without decoding the message (recovery, seeking). */
    static long offsetOf(byte[] payload) {
        return ByteBuffer.wrap(payload, 1, 8).getLong();
    }

    static long timestampOf(byte[] payload) {
        return ByteBuffer.wrap(payload, 9, 8).getLong();
    }
}
