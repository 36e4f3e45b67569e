package dev.ferrymq.server;

import dev.ferrymq.amqp.AmqpException;
import dev.ferrymq.amqp.ReplyCode;
import dev.ferrymq.amqp.frame.ContentHeaderFrame;
import dev.ferrymq.amqp.method.BasicPublish;
import io.netty.buffer.ByteBuf;

/**
 * Assembles one published message from its frames: basic.publish, then a content header, then body frames until
 * the announced body size is reached. Confined to the channel's event loop.
 */
final class IncomingMessage {
    private static final byte[] EMPTY = new byte[0];

    private BasicPublish method;
    private byte[] properties;
    private byte[] body;
    private int received;

    void start(BasicPublish publish) {
        method = publish;
        properties = null;
        body = null;
        received = 0;
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

    /** Takes the content header; returns true when the message is complete (empty body). */
    boolean header(ContentHeaderFrame header) {
        properties = header.properties();
        // bodySize was checked against the configured maximum, which is below 2 GiB.
        body = header.bodySize() == 0 ? EMPTY : new byte[(int) header.bodySize()];
        return body.length == 0;
    }

    /** Appends a body frame; returns true when the message is complete. */
    boolean body(ByteBuf payload) {
        int size = payload.readableBytes();
        if (size > body.length - received) {
            throw AmqpException.connection(ReplyCode.FRAME_ERROR, "content body exceeds the announced size "
                    + body.length);
        }
        payload.getBytes(payload.readerIndex(), body, received, size);
        received += size;
        return received == body.length;
    }

    BasicPublish method() {
        return method;
    }

    byte[] properties() {
        return properties;
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
        body = null;
        received = 0;
    }
}
