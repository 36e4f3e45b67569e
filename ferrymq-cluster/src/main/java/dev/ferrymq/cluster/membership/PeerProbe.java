package dev.ferrymq.cluster.membership;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Whether a node is running, judged by whether its cluster port accepts a TCP connection within a short time. A
 * killed node's port refuses at once; a machine that is unreachable costs the timeout. (A frozen process whose
 * kernel still accepts connections counts as running; Raft's own heartbeats, not this probe, decide leadership.)
 */
final class PeerProbe {
    static final int TIMEOUT_MILLIS = 250;

    private PeerProbe() {
    }

    static boolean answers(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
