package dev.ferrymq.amqp;

import java.nio.charset.StandardCharsets;

/**
 * A protocol error to be reported to the peer with {@code channel.close} (channel-level) or
 * {@code connection.close} (connection-level).
 *
 * <p>The reply text follows RabbitMQ's style: {@code "NOT_FOUND - no queue 'x' in vhost '/'"}.
 */
public final class AmqpException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int replyCode;
    private final String detail;
    private final boolean connectionLevel;
    private final int classId;
    private final int methodId;
    /** False until the failing method is named: then {@link #orMethod} fills in the method being handled. */
    private final boolean methodNamed;

    private AmqpException(int replyCode, String detail, boolean connectionLevel, int classId, int methodId,
                          boolean methodNamed) {
        super(ReplyCode.name(replyCode) + " - " + detail);
        this.replyCode = replyCode;
        this.detail = detail;
        this.connectionLevel = connectionLevel;
        this.classId = classId;
        this.methodId = methodId;
        this.methodNamed = methodNamed;
    }

    /** An error that closes the connection; it names the method being handled unless told otherwise. */
    public static AmqpException connection(int code, String detail) {
        return new AmqpException(code, detail, true, 0, 0, false);
    }

    /** An error that closes only the channel; it names the method being handled unless told otherwise. */
    public static AmqpException channel(int code, String detail) {
        return new AmqpException(code, detail, false, 0, 0, false);
    }

    /** 540 NOT_IMPLEMENTED for a method the receiver does not support (connection-level). */
    public static AmqpException notImplemented(Method m) {
        return connection(ReplyCode.NOT_IMPLEMENTED, m.name() + " not implemented").withMethod(m.classId(), m.methodId());
    }

    /**
     * A copy naming the method that caused the error (reported in the close method); {@code withMethod(0, 0)}
     * says no method caused it (a stray content frame), as RabbitMQ reports such errors.
     */
    public AmqpException withMethod(int classId, int methodId) {
        AmqpException copy = new AmqpException(replyCode, detail, connectionLevel, classId, methodId, true);
        copy.setStackTrace(getStackTrace());
        if (getCause() != null) {
            copy.initCause(getCause());
        }
        return copy;
    }

    /**
     * This error naming the method being handled when it was raised, unless it names one already: how every error
     * raised while handling a method reports that method, as RabbitMQ's reader and channel do.
     */
    public AmqpException orMethod(int classId, int methodId) {
        return methodNamed ? this : withMethod(classId, methodId);
    }

    public int replyCode() {
        return replyCode;
    }

    /** The part after {@code "CODE_NAME - "}. */
    public String detail() {
        return detail;
    }

    /** Code name + " - " + detail, cut to fit a short string (255 UTF-8 bytes) so it can always be sent. */
    public String replyText() {
        return truncateUtf8(getMessage(), 255);
    }

    public int classId() {
        return classId;
    }

    public int methodId() {
        return methodId;
    }

    public boolean connectionLevel() {
        return connectionLevel;
    }

    static String truncateUtf8(String s, int maxBytes) {
        if (s.length() * 3 <= maxBytes || s.getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
            return s;
        }
        int bytes = 0;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + len > maxBytes) {
                break;
            }
            bytes += len;
            i += Character.charCount(cp);
        }
        return s.substring(0, i);
    }
}
