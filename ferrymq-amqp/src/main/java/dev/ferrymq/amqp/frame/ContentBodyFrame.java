package dev.ferrymq.amqp.frame;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;

/**
 * A content body frame (type 3).
 *
 * <p>The payload is a retained slice of the decoder's input buffer: the receiver owns it and must
 * {@link #release()} it (or {@code payload().release()}) promptly, since it pins the input buffer.
 * Reference counting delegates to the payload, so Netty's pipeline utilities release it too.
 */
public record ContentBodyFrame(int channel, ByteBuf payload) implements Frame, ReferenceCounted {

    @Override
    public int refCnt() {
        return payload.refCnt();
    }

    @Override
    public ContentBodyFrame retain() {
        payload.retain();
        return this;
    }

    @Override
    public ContentBodyFrame retain(int increment) {
        payload.retain(increment);
        return this;
    }

    @Override
    public ContentBodyFrame touch() {
        payload.touch();
        return this;
    }

    @Override
    public ContentBodyFrame touch(Object hint) {
        payload.touch(hint);
        return this;
    }

    @Override
    public boolean release() {
        return payload.release();
    }

    @Override
    public boolean release(int decrement) {
        return payload.release(decrement);
    }
}
