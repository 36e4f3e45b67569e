package dev.ferrymq.embedded;

/**
 * A queue of the broker's default virtual host, read live: each call asks the broker (queue.declare passive), so
 * the counts are those of that moment. Counts of a queue that does not exist throw IllegalStateException.
 */
public final class QueueView {
    private final BrokerClient client;
    private final String name;

    QueueView(BrokerClient client, String name) {
        this.client = client;
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** Messages ready for delivery (not those delivered and waiting for an ack), as queue.declare-ok counts them. */
    public int messageCount() {
        return client.counts(name).messages();
    }

    public int consumerCount() {
        return client.counts(name).consumers();
    }

    public boolean exists() {
        try {
            client.counts(name);
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "queue '" + name + "'";
    }
}
