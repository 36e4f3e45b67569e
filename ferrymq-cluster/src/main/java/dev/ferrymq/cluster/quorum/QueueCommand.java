package dev.ferrymq.cluster.quorum;

import java.util.List;
import java.util.Objects;

/**
 * What a node proposes to a quorum queue's Raft group. Each committed command is applied, in log order, by
 * {@link QuorumQueueState#apply} on every replica; {@link CommandCodec} gives each its binary form.
 * Commands carry no time: the leader stamps one on the log entry ({@link LogEntry}).
 */
public sealed interface QueueCommand {

    /** Sets (or, for a policy change, replaces) the replicated queue arguments. */
    record Configure(QueueConfig config) implements QueueCommand {
        public Configure {
            Objects.requireNonNull(config, "config");
        }
    }

    /**
     * A publish. {@code seq} numbers the publisher's enqueues to this queue from 1, and they must be proposed
     * in that order (a lower seq after a higher one is taken for a retry); 0 turns deduplication off.
     *
     * @param priority   the message's {@code priority} property (0 when absent); above 4 is served first
     * @param expiration the message's {@code expiration} property in ms, negative when absent
     * @param content    encoded properties and body, opaque here
     */
    record Enqueue(PublisherId publisher, long seq, int priority, long expiration, byte[] content)
            implements QueueCommand {
        public Enqueue {
            Objects.requireNonNull(publisher, "publisher");
            Objects.requireNonNull(content, "content");
        }
    }

    /**
     * basic.consume: attach a consumer. {@code prefetch} 0 means unlimited credit.
     * A checkout for a consumer that exists updates its prefetch and priority.
     */
    record Checkout(ConsumerId consumer, int prefetch, int priority, boolean exclusive) implements QueueCommand {
        public Checkout {
            Objects.requireNonNull(consumer, "consumer");
        }
    }

    /**
     * basic.get: take the next ready message for {@code getter} (the channel's id with a tag no consumer can
     * have, such as the empty tag). With {@code autoAck} it is gone at once; otherwise the getter holds it
     * until it is settled, returned or discarded like a consumer's message. The message comes as a
     * {@link Effect.Deliver} to the getter; the reply is {@link Reply.Code#EMPTY} when there was none.
     */
    record Dequeue(ConsumerId getter, boolean autoAck) implements QueueCommand {
        public Dequeue {
            Objects.requireNonNull(getter, "getter");
        }
    }

    /** basic.cancel: no further deliveries; messages it holds stay with it until settled or returned. */
    record Cancel(ConsumerId consumer) implements QueueCommand {
    }

    /** basic.ack. */
    record Settle(ConsumerId consumer, List<Long> messageIds) implements QueueCommand {
        public Settle {
            messageIds = List.copyOf(messageIds);
        }
    }

    /** basic.nack/reject with requeue, or basic.recover: back to the queue, ahead of never-delivered messages. */
    record Return(ConsumerId consumer, List<Long> messageIds) implements QueueCommand {
        public Return {
            messageIds = List.copyOf(messageIds);
        }
    }

    /** basic.nack/reject without requeue: dead-letter with reason {@code rejected}. */
    record Discard(ConsumerId consumer, List<Long> messageIds) implements QueueCommand {
        public Discard {
            messageIds = List.copyOf(messageIds);
        }
    }

    /** queue.purge: drops the ready messages (not those checked out). The reply carries the count. */
    record Purge() implements QueueCommand {
    }

    /** basic.qos after consume: the consumer's new prefetch. */
    record Credit(ConsumerId consumer, int prefetch) implements QueueCommand {
    }

    /** The consumer's channel or connection closed: return what it holds and forget it. */
    record ConsumerDown(ConsumerId consumer) implements QueueCommand {
    }

    /**
     * A node left the cluster or restarted: every consumer it owned is down (its checked-out messages are
     * returned, as RabbitMQ does for consumers on a node that went down) and its publishers are forgotten.
     */
    record NodeDown(String node) implements QueueCommand {
        public NodeDown {
            Objects.requireNonNull(node, "node");
        }
    }

    /**
     * The group's first entry: the queue's identity and declared arguments (opaque here) with the config they
     * give. Applied like {@link Configure}; every replica reports it ({@link Effect.Declared}) so that each node
     * hosting one registers the queue in its own virtual host.
     */
    record Declare(String vhost, String name, byte[] arguments, QueueConfig config) implements QueueCommand {
        public Declare {
            Objects.requireNonNull(vhost, "vhost");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(arguments, "arguments");
            Objects.requireNonNull(config, "config");
        }
    }

    /** queue.delete: every replica reports it ({@link Effect.Deleted}) before the group is removed. */
    record Delete() implements QueueCommand {
    }

    /** Does nothing but carry the leader's time, so messages whose TTL ran out expire without other traffic. */
    record Tick() implements QueueCommand {
    }

    /**
     * Several commands in one log entry, applied one after the other as if each had its own entry (same leader
     * time), each with its own reply. A Raft entry costs a round of appends and fsyncs whatever its size, so a
     * node puts everything its channels proposed while the previous entry was in flight into one
     * ({@code ProposalBatcher}): that, not the transport, is what lets a group take thousands of publishes a
     * second. Batches do not nest.
     */
    record Batch(List<QueueCommand> commands) implements QueueCommand {
        public Batch {
            commands = List.copyOf(commands);
            if (commands.isEmpty()) {
                throw new IllegalArgumentException("an empty batch");
            }
            if (commands.stream().anyMatch(Batch.class::isInstance)) {
                throw new IllegalArgumentException("batches do not nest");
            }
        }
    }
}
