package dev.ferrymq.cluster.membership;

import dev.ferrymq.broker.cluster.NodeAddress;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

import java.util.List;

/** Conversions between FerryMQ's node names and addresses and Ratis peers: a node's name is its peer id. */
public final class Peers {
    private Peers() {
    }

    public static RaftPeer peer(NodeAddress node) {
        return RaftPeer.newBuilder().setId(node.name()).setAddress(node.address()).build();
    }

    public static List<RaftPeer> peers(List<NodeAddress> nodes) {
        return nodes.stream().map(Peers::peer).toList();
    }

    public static RaftPeerId id(String nodeName) {
        return RaftPeerId.valueOf(nodeName);
    }

    /** The node a peer stands for; its address is {@code host:port} (the host may be a bracketed IPv6 address). */
    public static NodeAddress node(RaftPeer peer) {
        String address = peer.getAddress();
        int colon = address.lastIndexOf(':');
        return new NodeAddress(peer.getId().toString(), address.substring(0, colon),
                Integer.parseInt(address.substring(colon + 1)));
    }
}
