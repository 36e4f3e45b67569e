package dev.ferrymq.cluster.quorum;

/**
 * Something applying a command asks the outside world to do. Every replica computes the same effects; each is
 * carried out by exactly one node ({@link #runsOn}): deliveries and consumer notices by the node that owns the
 * consumer's connection, publish outcomes by the publisher's node, dead-lettering by the current leader
 * (at-most-once, as rabbit_fifo's default dead-letter handler, which runs only on the leader).
 */
public sealed interface Effect {

    /**
     * True when the node {@code node} should carry out this effect; {@code leader} says whether it currently
     * leads the queue's group.
     */
    boolean runsOn(String node, boolean leader);

    /**
     * Send message {@code messageId} to the consumer (basic.deliver).
     *
     * @param deliveryCount the {@code x-delivery-count} header to set (0: leave it out)
     */
    record Deliver(ConsumerId consumer, long messageId, byte[] content, boolean redelivered, int deliveryCount)
            implements Effect {
        @Override
        public boolean runsOn(String node, boolean leader) {
            return consumer.node().equals(node);
        }
    }

    /**
     * Republish to the queue's dead-letter exchange, if it has one (else drop), with {@code reason} in
     * {@code x-death}.
     */
    record DeadLetter(long messageId, byte[] content, DeadLetterReason reason, int deliveryCount)
            implements Effect {
        @Override
        public boolean runsOn(String node, boolean leader) {
            return leader;
        }
    }

    /** The publisher's confirm: basic.ack when accepted, basic.nack when refused (reject-publish). */
    record EnqueueSettled(PublisherId publisher, long seq, boolean accepted) implements Effect {
        @Override
        public boolean runsOn(String node, boolean leader) {
            return publisher.node().equals(node);
        }
    }

    /** The consumer was cancelled (basic.cancel-ok, or the management view drops it). */
    record ConsumerCancelled(ConsumerId consumer) implements Effect {
        @Override
        public boolean runsOn(String node, boolean leader) {
            return consumer.node().equals(node);
        }
    }

    /** Single active consumer: this consumer became active, or is waiting. */
    record ConsumerActivity(ConsumerId consumer, boolean active) implements Effect {
        @Override
        public boolean runsOn(String node, boolean leader) {
            return consumer.node().equals(node);
        }
    }

    /** The queue was declared ({@link QueueCommand.Declare}): every node registers it in its virtual host. */
    record Declared(String vhost, String name, byte[] arguments) implements Effect {
        @Override
        public boolean runsOn(String node, boolean leader) {
            return true;
        }
    }

    /** The queue was deleted: every node removes it from its virtual host and cancels its consumers there. */
    record Deleted() implements Effect {
        @Override
        public boolean runsOn(String node, boolean leader) {
            return true;
        }
    }
}
