package dev.ferrymq.amqp.frame;

import dev.ferrymq.amqp.BasicProperties;
import java.util.Arrays;

/**
 * A content header frame (type 2).
 *
 * <pre>
 *   +----------+-----------+---------------+--------------------------------+
 *   | class(2) | weight(2) | body-size(8)  | property flags + values        |
 *   +----------+-----------+---------------+--------------------------------+
 * </pre>
 *
 * @param properties the raw property flags and values exactly as received, so they can be
 *     forwarded verbatim to consumers
 * @param decoded the properties as the frame decoder decoded them (it checks them), so a publish need not decode
 *     them again; null when not decoded. Not part of equality.
 */
public record ContentHeaderFrame(int channel, int classId, long bodySize, byte[] properties, BasicProperties decoded)
        implements Frame {

    /** A frame whose properties were not decoded. */
    public ContentHeaderFrame(int channel, int classId, long bodySize, byte[] properties) {
        this(channel, classId, bodySize, properties, null);
    }

    /** {@link #properties()} decoded, once. @throws dev.ferrymq.amqp.AmqpException 502 if malformed */
    public BasicProperties decodeProperties() {
        return decoded != null ? decoded : BasicProperties.decode(properties);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContentHeaderFrame f && channel == f.channel && classId == f.classId
                && bodySize == f.bodySize && Arrays.equals(properties, f.properties);
    }

    @Override
    public int hashCode() {
        return ((channel * 31 + classId) * 31 + Long.hashCode(bodySize)) * 31 + Arrays.hashCode(properties);
    }

    @Override
    public String toString() {
        return "ContentHeaderFrame[channel=" + channel + ", classId=" + classId + ", bodySize=" + bodySize
                + ", properties=" + properties.length + " bytes]";
    }
}
