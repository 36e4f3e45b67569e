package dev.ferrymq.amqp.frame;

import dev.ferrymq.amqp.AmqpException;
import dev.ferrymq.amqp.ReplyCode;

/**
 * Emitted by {@link AmqpFrameDecoder} instead of throwing when the input is invalid; the decoder
 * discards all further input, and the receiver should send {@code connection.close} with these
 * values and close the connection.
 *
 * @param replyText RabbitMQ style, e.g. {@code "FRAME_ERROR - frame size 200000 exceeds 131072"}
 * @param classId the failing method's class, 0 if unknown
 * @param methodId the failing method's id, 0 if unknown
 */
public record FrameError(int replyCode, String replyText, int channel, int classId, int methodId) {

    static FrameError of(int replyCode, String detail, int channel) {
        return new FrameError(replyCode, ReplyCode.name(replyCode) + " - " + detail, channel, 0, 0);
    }

    static FrameError of(AmqpException e, int channel) {
        return new FrameError(e.replyCode(), e.replyText(), channel, e.classId(), e.methodId());
    }
}
