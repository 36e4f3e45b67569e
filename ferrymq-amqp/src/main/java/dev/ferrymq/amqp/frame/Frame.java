package dev.ferrymq.amqp.frame;

/**
 * A decoded AMQP 0-9-1 frame.
 *
 * <pre>
 *   0      1         3         7            7+size
 *   +------+---------+---------+------------+-----------+
 *   | type | channel | size    | payload    | end 0xCE  |
 *   +------+---------+---------+------------+-----------+
 *   type: 1 METHOD, 2 HEADER, 3 BODY, 8 HEARTBEAT
 * </pre>
 */
public interface Frame {

    int TYPE_METHOD = 1;
    int TYPE_HEADER = 2;
    int TYPE_BODY = 3;
    int TYPE_HEARTBEAT = 8;
    int FRAME_END = 0xCE;
    /** Bytes around the payload: type(1) + channel(2) + size(4) + frame-end(1). */
    int OVERHEAD = 8;

    int channel();
}
