package dev.ferrymq.broker.queue;

/**
 * Where a clustered node's classic queues live (RabbitMQ's "home node"): a classic queue that is not exclusive is
 * declared through the replicated metadata with the node that declared it as its home; that node holds the queue
 * itself, and every other node a proxy that reaches it through the cluster. Installed by the cluster module
 * ({@code Broker#serveRemoteQueuesThrough}); a single node has none. Implementations are thread-safe.
 */
public interface RemoteQueues {

    /** This node's name: a declaration whose home it is creates the queue here. */
    String localNode();

    /** The proxy on this node of a queue whose home is {@code homeNode}, another node. */
    Queue open(QueueHost host, QueueDeclaration declaration, String homeNode);

    /** The home node of a queue of this node's virtual hosts: the proxy's home, else this node. */
    String homeOf(Queue queue);
}
