package dev.ferrymq.server.it;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A deliberately tiny AMQP 0-9-1 client over a plain socket, for tests that must misbehave on the wire.
 *
 * <pre>
 * frame:  type:octet | channel:short | size:long | payload[size] | 0xCE
 * method payload: class-id:short | method-id:short | arguments
 * </pre>
 *
 * Every read is bounded by the socket timeout given to {@link #connect}. Not thread-safe.
 */
final class RawAmqpClient implements Closeable {

    static final byte[] PROTOCOL_HEADER = {'A', 'M', 'Q', 'P', 0, 0, 9, 1};
    static final int FRAME_METHOD = 1;
    static final int FRAME_HEADER = 2;
    static final int FRAME_BODY = 3;
    static final int FRAME_HEARTBEAT = 8;
    static final int FRAME_END = 0xCE;

    /** One frame as read from the socket. */
    record Frame(int type, int channel, byte[] payload) {
        boolean isMethod(int classId, int methodId) {
            return type == FRAME_METHOD && payload.length >= 4 && classId() == classId && methodId() == methodId;
        }

        int classId() {
            return ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        }

        int methodId() {
            return ((payload[2] & 0xFF) << 8) | (payload[3] & 0xFF);
        }

        /** For connection.close / channel.close: the reply code (first argument). */
        int replyCode() {
            return ((payload[4] & 0xFF) << 8) | (payload[5] & 0xFF);
        }

        /** For connection.close / channel.close: the reply text (second argument, a short string). */
        String replyText() {
            int len = payload[6] & 0xFF;
            return new String(payload, 7, len, StandardCharsets.UTF_8);
        }

        /** For connection.close / channel.close: the class id of the method that caused it (third argument). */
        int failingClassId() {
            int at = 7 + (payload[6] & 0xFF);
            return ((payload[at] & 0xFF) << 8) | (payload[at + 1] & 0xFF);
        }

        /** For connection.close / channel.close: the method id of the method that caused it (fourth argument). */
        int failingMethodId() {
            int at = 9 + (payload[6] & 0xFF);
            return ((payload[at] & 0xFF) << 8) | (payload[at + 1] & 0xFF);
        }

        @Override
        public String toString() {
            return type == FRAME_METHOD
                    ? "method " + classId() + "." + methodId() + " on channel " + channel
                    : "frame type " + type + " on channel " + channel + " (" + payload.length + " bytes)";
        }
    }

    /** How a connection ended, as seen from the client. */
    record Ending(Frame close, boolean eof, int heartbeats) {
        boolean closedWithMethod() {
            return close != null;
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private int frameMax = 4096;

    private RawAmqpClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = new DataOutputStream(socket.getOutputStream());
    }

    static RawAmqpClient connect(String host, int port, Duration readTimeout) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(host, port), 5_000);
        s.setSoTimeout((int) readTimeout.toMillis());
        s.setTcpNoDelay(true);
        return new RawAmqpClient(s);
    }

    int frameMax() {
        return frameMax;
    }

    void setReadTimeout(Duration timeout) throws SocketException {
        socket.setSoTimeout((int) timeout.toMillis());
    }

    void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads exactly n bytes, or fewer if the peer closes first. */
    byte[] readUpTo(int n) throws IOException {
        byte[] buf = new byte[n];
        int off = 0;
        while (off < n) {
            int r = in.read(buf, off, n - off);
            if (r < 0) {
                break;
            }
            off += r;
        }
        return java.util.Arrays.copyOf(buf, off);
    }

    /** True when the peer has closed (EOF or reset) before the read timeout. */
    boolean readsEof() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketException reset) {
            return true;
        }
    }

    void writeFrame(int type, int channel, byte[] payload) throws IOException {
        out.writeByte(type);
        out.writeShort(channel);
        out.writeInt(payload.length);
        out.write(payload);
        out.writeByte(FRAME_END);
        out.flush();
    }

    void writeMethod(int channel, int classId, int methodId, Args args) throws IOException {
        Args payload = new Args().u16(classId).u16(methodId).raw(args.bytes());
        writeFrame(FRAME_METHOD, channel, payload.bytes());
    }

    Frame readFrame() throws IOException {
        int type = in.readUnsignedByte();
        int channel = in.readUnsignedShort();
        int size = in.readInt();
        if (size < 0 || size > 16 * 1024 * 1024) {
            throw new IOException("implausible frame size " + size);
        }
        byte[] payload = new byte[size];
        in.readFully(payload);
        int end = in.readUnsignedByte();
        if (end != FRAME_END) {
            throw new IOException("bad frame end 0x" + Integer.toHexString(end));
        }
        return new Frame(type, channel, payload);
    }

    /** Reads frames, skipping heartbeats, until a method; fails if it is not the expected one. */
    Frame expectMethod(int classId, int methodId) throws IOException {
        while (true) {
            Frame f = readFrame();
            if (f.type() == FRAME_HEARTBEAT) {
                continue;
            }
            if (!f.isMethod(classId, methodId)) {
                String detail = f.isMethod(10, 50) || f.isMethod(20, 40)
                        ? " (close " + f.replyCode() + " " + f.replyText() + ")" : "";
                throw new IOException("expected method " + classId + "." + methodId + " but got " + f + detail);
            }
            return f;
        }
    }

    /**
     * Protocol header, start/start-ok (PLAIN), tune/tune-ok with the given heartbeat, open "/" and open-ok.
     * Keeps the server's frame_max.
     */
    void handshake(String user, String password, int heartbeatSeconds) throws IOException {
        write(PROTOCOL_HEADER);
        expectMethod(10, 10); // connection.start
        byte[] response = ("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8);
        writeMethod(0, 10, 11, new Args().emptyTable().shortStr("PLAIN").longStr(response).shortStr("en_US"));
        Frame tune = expectMethod(10, 30);
        DataInputStream t = new DataInputStream(new java.io.ByteArrayInputStream(tune.payload(), 4,
                tune.payload().length - 4));
        int channelMax = t.readUnsignedShort();
        int serverFrameMax = t.readInt();
        frameMax = serverFrameMax;
        writeMethod(0, 10, 31, new Args().u16(channelMax).u32(serverFrameMax).u16(heartbeatSeconds));
        writeMethod(0, 10, 40, new Args().shortStr("/").shortStr("").u8(0));
        expectMethod(10, 41); // connection.open-ok
    }

    void openChannel(int channel) throws IOException {
        writeMethod(channel, 20, 10, new Args().shortStr(""));
        expectMethod(20, 11);
    }

    /**
     * Waits (bounded by the read timeout) for the broker to end the connection: returns the connection.close it
     * sent, if any, and whether the socket then reached EOF. Heartbeats and other frames are skipped.
     */
    Ending awaitEnd() throws IOException {
        Frame close = null;
        int heartbeats = 0;
        try {
            while (true) {
                Frame f = readFrame();
                if (f.type() == FRAME_HEARTBEAT) {
                    heartbeats++;
                } else if (f.isMethod(10, 50)) {
                    close = f;
                    // be polite as a client should: confirm the close, then the broker closes the socket
                    writeMethod(0, 10, 51, new Args());
                }
            }
        } catch (EOFException | SocketException e) {
            return new Ending(close, true, heartbeats);
        } catch (SocketTimeoutException e) {
            return new Ending(close, false, heartbeats);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** Builder for method arguments, big-endian as the spec wants. */
    static final class Args {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(buf);

        Args u8(int v) throws IOException {
            out.writeByte(v);
            return this;
        }

        Args u16(int v) throws IOException {
            out.writeShort(v);
            return this;
        }

        Args u32(int v) throws IOException {
            out.writeInt(v);
            return this;
        }

        Args shortStr(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.writeByte(b.length);
            out.write(b);
            return this;
        }

        Args longStr(byte[] b) throws IOException {
            out.writeInt(b.length);
            out.write(b);
            return this;
        }

        Args u64(long v) throws IOException {
            out.writeLong(v);
            return this;
        }

        /** A field table with one long-string entry. */
        Args tableOf(String key, String value) throws IOException {
            Args entry = new Args().shortStr(key).u8('S').longStr(value.getBytes(StandardCharsets.UTF_8));
            byte[] b = entry.bytes();
            out.writeInt(b.length);
            out.write(b);
            return this;
        }

        Args emptyTable() throws IOException {
            out.writeInt(0);
            return this;
        }

        Args raw(byte[] b) throws IOException {
            out.write(b);
            return this;
        }

        byte[] bytes() {
            return buf.toByteArray();
        }
    }
}
