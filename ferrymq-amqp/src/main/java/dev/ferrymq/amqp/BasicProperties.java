package dev.ferrymq.amqp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Map;

/**
 * Content-header properties of class {@code basic}; null components are absent.
 *
 * <pre>
 *   +----------------+ [+----------------+ ...] +--------------------------------+
 *   | flags (2)      |  | flags (2)      |      | values of present properties,  |
 *   +----------------+ [+----------------+ ...] | in flag order                  |
 *   bit 15 = content-type, 14 = content-encoding ... 2 = cluster-id;
 *   bit 0 = another flags word follows
 * </pre>
 */
public record BasicProperties(
        String contentType,
        String contentEncoding,
        Map<String, Object> headers,
        Integer deliveryMode,
        Integer priority,
        String correlationId,
        String replyTo,
        String expiration,
        String messageId,
        Long timestamp,
        String type,
        String userId,
        String appId,
        String clusterId) {

    public static final BasicProperties EMPTY =
            new BasicProperties(null, null, null, null, null, null, null, null, null, null, null, null, null, null);

    private static final int CONTENT_TYPE = 1 << 15;
    private static final int CONTENT_ENCODING = 1 << 14;
    private static final int HEADERS = 1 << 13;
    private static final int DELIVERY_MODE = 1 << 12;
    private static final int PRIORITY = 1 << 11;
    private static final int CORRELATION_ID = 1 << 10;
    private static final int REPLY_TO = 1 << 9;
    private static final int EXPIRATION = 1 << 8;
    private static final int MESSAGE_ID = 1 << 7;
    private static final int TIMESTAMP = 1 << 6;
    private static final int TYPE = 1 << 5;
    private static final int USER_ID = 1 << 4;
    private static final int APP_ID = 1 << 3;
    private static final int CLUSTER_ID = 1 << 2;
    private static final int CONTINUATION = 1;

    /**
     * Reads the flag word(s) and the present values.
     *
     * @throws AmqpException 502 SYNTAX_ERROR if truncated, malformed or flagging unknown properties
     */
    public static BasicProperties decode(ByteBuf in) {
        try {
            int flags = in.readUnsignedShort();
            if ((flags & CONTINUATION) != 0) {
                // Basic defines 14 properties; extra flag words may only be empty.
                int more;
                do {
                    more = in.readUnsignedShort();
                    if ((more & ~CONTINUATION) != 0) {
                        throw AmqpException.connection(ReplyCode.SYNTAX_ERROR, "unknown basic properties flagged");
                    }
                } while ((more & CONTINUATION) != 0);
            }
            if ((flags & 0b10) != 0) {
                throw AmqpException.connection(ReplyCode.SYNTAX_ERROR, "unknown basic property flag bit 1");
            }
            return new BasicProperties(
                    (flags & CONTENT_TYPE) != 0 ? Wire.readShortString(in) : null,
                    (flags & CONTENT_ENCODING) != 0 ? Wire.readShortString(in) : null,
                    (flags & HEADERS) != 0 ? FieldTable.read(in) : null,
                    (flags & DELIVERY_MODE) != 0 ? Integer.valueOf(in.readUnsignedByte()) : null,
                    (flags & PRIORITY) != 0 ? Integer.valueOf(in.readUnsignedByte()) : null,
                    (flags & CORRELATION_ID) != 0 ? Wire.readShortString(in) : null,
                    (flags & REPLY_TO) != 0 ? Wire.readShortString(in) : null,
                    (flags & EXPIRATION) != 0 ? Wire.readShortString(in) : null,
                    (flags & MESSAGE_ID) != 0 ? Wire.readShortString(in) : null,
                    (flags & TIMESTAMP) != 0 ? Long.valueOf(in.readLong()) : null,
                    (flags & TYPE) != 0 ? Wire.readShortString(in) : null,
                    (flags & USER_ID) != 0 ? Wire.readShortString(in) : null,
                    (flags & APP_ID) != 0 ? Wire.readShortString(in) : null,
                    (flags & CLUSTER_ID) != 0 ? Wire.readShortString(in) : null);
        } catch (IndexOutOfBoundsException e) {
            throw AmqpException.connection(ReplyCode.SYNTAX_ERROR, "truncated basic properties");
        }
    }

    /** Decodes raw property-flags + property-values bytes, e.g. {@code ContentHeaderFrame.properties()}. */
    public static BasicProperties decode(byte[] raw) {
        return decode(Unpooled.wrappedBuffer(raw));
    }

    /** Writes the flags word and the present values. */
    public void encode(ByteBuf out) {
        int flags = (contentType != null ? CONTENT_TYPE : 0)
                | (contentEncoding != null ? CONTENT_ENCODING : 0)
                | (headers != null ? HEADERS : 0)
                | (deliveryMode != null ? DELIVERY_MODE : 0)
                | (priority != null ? PRIORITY : 0)
                | (correlationId != null ? CORRELATION_ID : 0)
                | (replyTo != null ? REPLY_TO : 0)
                | (expiration != null ? EXPIRATION : 0)
                | (messageId != null ? MESSAGE_ID : 0)
                | (timestamp != null ? TIMESTAMP : 0)
                | (type != null ? TYPE : 0)
                | (userId != null ? USER_ID : 0)
                | (appId != null ? APP_ID : 0)
                | (clusterId != null ? CLUSTER_ID : 0);
        out.writeShort(flags);
        writeIfPresent(out, contentType);
        writeIfPresent(out, contentEncoding);
        if (headers != null) {
            FieldTable.write(out, headers);
        }
        if (deliveryMode != null) {
            out.writeByte(deliveryMode);
        }
        if (priority != null) {
            out.writeByte(priority);
        }
        writeIfPresent(out, correlationId);
        writeIfPresent(out, replyTo);
        writeIfPresent(out, expiration);
        writeIfPresent(out, messageId);
        if (timestamp != null) {
            out.writeLong(timestamp);
        }
        writeIfPresent(out, type);
        writeIfPresent(out, userId);
        writeIfPresent(out, appId);
        writeIfPresent(out, clusterId);
    }

    /** The encoded flags + values, as carried in {@code ContentHeaderFrame.properties()}. */
    public byte[] toBytes() {
        ByteBuf buf = Unpooled.buffer();
        try {
            encode(buf);
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    public BasicProperties withReplyTo(String replyTo) {
        return new BasicProperties(contentType, contentEncoding, headers, deliveryMode, priority, correlationId,
                replyTo, expiration, messageId, timestamp, type, userId, appId, clusterId);
    }

    public BasicProperties withHeaders(Map<String, Object> headers) {
        return new BasicProperties(contentType, contentEncoding, headers, deliveryMode, priority, correlationId,
                replyTo, expiration, messageId, timestamp, type, userId, appId, clusterId);
    }

    public BasicProperties withExpiration(String expiration) {
        return new BasicProperties(contentType, contentEncoding, headers, deliveryMode, priority, correlationId,
                replyTo, expiration, messageId, timestamp, type, userId, appId, clusterId);
    }

    /** True if delivery-mode is 2 (persistent). */
    public boolean persistent() {
        return deliveryMode != null && deliveryMode == 2;
    }

    private static void writeIfPresent(ByteBuf out, String s) {
        if (s != null) {
            Wire.writeShortString(out, s);
        }
    }
}
