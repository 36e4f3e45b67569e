package dev.ferrymq.broker.queue;

import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.MessageCounters;
import dev.ferrymq.broker.PublishBatch;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.broker.routing.Destination;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * A queue, as the channel, the routing code and the management API see it, whatever its {@link QueueType}
 * (RabbitMQ's {@code rabbit_queue_type}). Today's only implementation is the classic queue
 * ({@code queue.classic.ClassicQueue}); replicated (quorum) queues and streams plug in behind this interface.
 *
 * <p>Implementations are thread-safe: publishers, consumers' channels, the virtual host and timers call in from
 * any thread. A queue never calls into its virtual host while holding its own lock (the lock order is virtual
 * host, then queue).
 */
public interface Queue extends Destination {
    /** The store position of a message that was not stored (transient, or a queue that keeps nothing on disk). */
    long NOT_STORED = -1;

    @Override
    String name();

    QueueType type();

    VirtualHost vhost();

    boolean durable();

    boolean exclusive();

    /** The connection that owns an exclusive queue, or null. */
    ExclusiveOwner owner();

    boolean autoDelete();

    /** The arguments it was declared with. */
    Map<String, Object> arguments();

    /** Its arguments merged with the policies in force. */
    QueueArguments settings();

    /** The policy and operator policy applied to it. */
    QueuePolicies policies();

    /** Whether persistent messages published to it are written to the store (the router stores them first). */
    boolean keepsPersistentMessages();

    /** Whether its declaration is recorded so that it is declared again at start-up (durable queues). */
    default boolean survivesRestart() {
        return keepsPersistentMessages();
    }

    /**
     * Whether it writes every message it accepts, persistent or not, to a file of the store's group commit itself
     * (a stream's log), so that a publisher confirm must wait for the next fsync.
     */
    default boolean appendsEveryMessage() {
        return false;
    }

    // ---------------------------------------------------------------- messages

    /**
     * The one publish entry point: appends a message and hands it to a consumer if one can take it.
     * {@code storedAt} is where the router stored it, with a reference already taken for this queue, or
     * {@link #NOT_STORED}; a stored entry joins {@code batch} (may be null) until it settles. Returns false when
     * the queue refused the message (full, with {@code x-overflow} reject-publish): the publisher gets a nack.
     * Dead letters the publish produces (e.g. a head dropped by {@code x-max-length}) go to {@code deadLetters}.
     */
    boolean publish(Message message, long storedAt, PublishBatch batch, DeadLetterSink deadLetters);

    /** {@link #publish(Message, long, PublishBatch, DeadLetterSink)}, its dead letters routed by the vhost. */
    default boolean publish(Message message, long storedAt, PublishBatch batch) {
        return publish(message, storedAt, batch, vhost().publisher()::deadLetter);
    }

    /**
     * basic.get: takes the next entry, or null when none is ready. Unless {@code noAck}, it stays unacked until
     * settled; with {@code noAck} it is settled at once, its message in memory.
     */
    QueueEntry get(boolean noAck);

    /** Settles an entry handed out (ack, or auto-ack): it leaves the queue for good. */
    void settle(QueueEntry entry);

    /** Settles many entries of this queue (a multiple ack) at once. */
    void settleAll(List<QueueEntry> entries);

    /** basic.reject / basic.nack without requeue: the entry leaves the queue, dead-lettered if configured. */
    void reject(QueueEntry entry);

    /** Puts unacked entries back at their original positions, marked redelivered. */
    void requeue(List<QueueEntry> entries);

    /** Drops every ready message; returns how many. Unacked ones are not touched (as in RabbitMQ). */
    int purge();

    // ---------------------------------------------------------------- consumers and flow

    /** basic.consume; 405 when the queue is in exclusive use, 404 when it was deleted. */
    void addConsumer(QueueConsumer consumer, boolean exclusiveUse);

    /** basic.cancel; an auto-delete queue goes away with its last consumer. */
    void removeConsumer(QueueConsumer consumer);

    /** The consumer that receives messages of a single-active-consumer queue, or null. */
    QueueConsumer activeConsumer();

    /** Tries to hand ready entries to consumers; consumers call this when they can take more. */
    void dispatch();

    /** Whether publishers should pause: consumers are taking messages but falling behind. */
    boolean congested();

    /** Runs {@code listener} (from any thread, must not block) once the queue is no longer congested. */
    void whenUncongested(Runnable listener);

    // ---------------------------------------------------------------- info

    /** Ready messages (not counting unacked ones), as queue.declare-ok reports. */
    int messageCount();

    int unackedCount();

    int consumerCount();

    boolean isDeleted();

    /**
     * What the management API shows for this queue beyond the common fields, overriding them where they clash
     * (a stream's message count, bytes and offsets); empty by default.
     */
    default Map<String, Object> details() {
        return Map.of();
    }

    /**
     * Throws the refusal a client gets when the queue cannot be used now: 404 for a classic queue whose home node
     * (in a cluster) is down. Called before answering a declaration; a local queue is always usable.
     */
    default void checkReachable() {
    }

    /** Message counters (enqueued, delivered, acked, redelivered), for statistics. */
    MessageCounters counters();

    // ---------------------------------------------------------------- life cycle, called by the virtual host

    /** A redeclaration counts as use for x-expires. */
    void touch();

    /** Applies the policies now in force in the vhost. */
    void applyPolicies(QueuePolicies applicable);

    /** Marks the queue deleted, drops its messages and returns the consumers to notify. */
    List<QueueConsumer> delete();

    /**
     * Start-up: refills the queue from what it kept on disk; {@code inStore} tells which store positions
     * survived. Returns how many messages it recovered.
     */
    long recover(LongPredicate inStore) throws IOException;

    /** Whether {@code connection} may use it: any connection unless it is exclusive to another one. */
    default boolean isExclusiveTo(ExclusiveOwner connection) {
        return !exclusive() || (owner() != null && owner().isSameOwner(connection));
    }
}
