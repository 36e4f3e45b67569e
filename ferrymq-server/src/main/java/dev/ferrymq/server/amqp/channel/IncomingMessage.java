package dev.ferrymq.server.amqp.channel;

import dev.ferrymq.amqp.AmqpException;
import dev.ferrymq.amqp.BasicProperties;
import dev.ferrymq.amqp.ReplyCode;
import dev.ferrymq.amqp.frame.ContentHeaderFrame;
import dev.ferrymq.amqp.method.BasicPublish;
import io.netty.buffer.ByteBuf;

/**
 * Assembles one published message from its frames: basic.publish, then a content header, then body frames until
 * the announced body size is reached, and rejects frames out of that order with RabbitMQ's 505 errors (its
 * {@code rabbit_command_assembler}). After {@link #discardRest()} the frames of the message still in flight are
 * checked and dropped: a channel closed by an error, or closing, still expects them. Confined to the channel's
 * event loop.
 */
final class IncomingMessage {
    private static final byte[] EMPTY = new byte[0];
    private static final int BASIC_CLASS_ID = BasicPublish.CLASS_ID;

    private BasicPublish method;
    private byte[] properties;
    private BasicProperties decodedProperties;
    private byte[] body;
    private long received;
    private long bodySize;
    private boolean discarding;

    void start(BasicPublish publish) {
        reset();
        method = publish;
    }

    /** A method frame arrived: only allowed between messages. */
    void checkMethodAllowed() {
        if (awaitingHeader()) {
            throw unexpected("expected content header for class " + BASIC_CLASS_ID
                    + ", got non content header frame instead");
        }
        if (awaitingBody()) {
            throw unexpected("expected content body, got non content body frame instead");
        }
    }

    /** Checks a content header frame is the one expected now. */
    void checkHeader(ContentHeaderFrame header) {
        if (awaitingBody()) {
            throw unexpected("expected content body, got non content body frame instead");
        }
        if (!awaitingHeader()) {
            throw noMethod();
        }
        if (header.classId() != BASIC_CLASS_ID) {
            throw unexpected("expected content header for class " + BASIC_CLASS_ID + ", got one for class "
                    + header.classId() + " instead");
        }
    }

    /** Checks a content body frame is expected now. */
    void checkBody() {
        if (awaitingHeader()) {
            throw unexpected("expected content header for class " + BASIC_CLASS_ID
                    + ", got non content header frame instead");
        }
        if (!awaitingBody()) {
            throw noMethod();
        }
    }

    /** Drops the message being assembled, still expecting (and checking) the rest of its frames. */
    void discardRest() {
        discarding = method != null;
        body = null;
    }

    private static AmqpException unexpected(String detail) {
        return AmqpException.connection(ReplyCode.UNEXPECTED_FRAME, detail); // names basic.publish
    }

    private static AmqpException noMethod() {
        return AmqpException.connection(ReplyCode.UNEXPECTED_FRAME,
                "expected method frame, got non method frame instead").withMethod(0, 0);
    }

    boolean inProgress() {
        return method != null;
    }

    boolean awaitingHeader() {
        return method != null && properties == null;
    }

    boolean awaitingBody() {
        return method != null && properties != null;
    }

    /**
     * Takes the (checked) content header; returns true when the message is complete (empty body) and is not
     * being discarded.
     */
    boolean header(ContentHeaderFrame header) {
        properties = header.properties();
        decodedProperties = header.decodeProperties();
        bodySize = header.bodySize();
        if (!discarding) {
            // bodySize was checked against the configured maximum, which is below 2 GiB.
            body = bodySize == 0 ? EMPTY : new byte[(int) bodySize];
        }
        return completed();
    }

    /** Appends a (checked) body frame; returns true when the message is complete and is not being discarded. */
    boolean body(ByteBuf payload) {
        int size = payload.readableBytes();
        if (size > bodySize - received) {
            throw AmqpException.connection(ReplyCode.FRAME_ERROR, "content body exceeds the announced size "
                    + bodySize);
        }
        if (!discarding) {
            payload.getBytes(payload.readerIndex(), body, (int) received, size);
        }
        received += size;
        return completed();
    }

    private boolean completed() {
        if (received < bodySize) {
            return false;
        }
        if (discarding) {
            reset();
            return false;
        }
        return true;
    }

    BasicPublish method() {
        return method;
    }

    byte[] properties() {
        return properties;
    }

    /** The properties as the frame decoder decoded them: a publish decodes them only once. */
    BasicProperties decodedProperties() {
        return decodedProperties;
    }

    /** Hands over the completed body and makes room for the next message. */
    byte[] takeBody() {
        byte[] complete = body;
        reset();
        return complete;
    }

    void reset() {
        method = null;
        properties = null;
        decodedProperties = null;
        body = null;
        received = 0;
        bodySize = 0;
        discarding = false;
    }
}
