package dev.ferrymq.amqp.frame;

/**
 * The protocol header a client sends first, and the server's reply to a bad one.
 *
 * <pre>
 *   +-----+-----+-----+-----+---+---+---+---+
 *   | 'A' | 'M' | 'Q' | 'P' | 0 | 0 | 9 | 1 |
 *   +-----+-----+-----+-----+---+---+---+---+
 * </pre>
 */
public final class ProtocolHeader {

    /** The 0-9-1 header bytes. Do not modify. */
    public static final byte[] BYTES = {'A', 'M', 'Q', 'P', 0, 0, 9, 1};

    /** Emitted by {@link AmqpFrameDecoder} when the client sent the 0-9-1 header. */
    public static final ProtocolHeader INSTANCE = new ProtocolHeader();

    private ProtocolHeader() {}

    @Override
    public String toString() {
        return "ProtocolHeader[AMQP 0-9-1]";
    }
}
