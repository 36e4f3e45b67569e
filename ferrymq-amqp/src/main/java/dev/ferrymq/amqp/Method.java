package dev.ferrymq.amqp;

import dev.ferrymq.amqp.method.MethodHandler;
import io.netty.buffer.ByteBuf;

/**
 * An AMQP 0-9-1 method. Implemented by the records generated into {@code dev.ferrymq.amqp.method}.
 */
public interface Method {

    int classId();

    int methodId();

    /** The dotted spec name, e.g. {@code "basic.publish"}. */
    String name();

    /** True if a content header and body frames follow this method (publish, return, deliver, get-ok). */
    boolean hasContent();

    /** Writes the arguments only; class and method ids are written by {@code MethodEncoder}. */
    void writeArguments(ByteBuf out);

    /** Double-dispatches to the matching {@code handler.onXxx(this)}. */
    void dispatch(MethodHandler handler) throws Exception;
}
