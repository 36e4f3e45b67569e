package dev.ferrymq.cluster.quorum;

import dev.ferrymq.cluster.quorum.ConsumerState.Status;
import dev.ferrymq.cluster.quorum.Effect.ConsumerActivity;
import dev.ferrymq.cluster.quorum.Effect.ConsumerCancelled;
import dev.ferrymq.cluster.quorum.Effect.DeadLetter;
import dev.ferrymq.cluster.quorum.Effect.Deliver;
import dev.ferrymq.cluster.quorum.Effect.EnqueueSettled;
import dev.ferrymq.cluster.quorum.QueueCommand.Cancel;
import dev.ferrymq.cluster.quorum.QueueCommand.Checkout;
import dev.ferrymq.cluster.quorum.QueueCommand.Configure;
import dev.ferrymq.cluster.quorum.QueueCommand.Declare;
import dev.ferrymq.cluster.quorum.QueueCommand.Delete;
import dev.ferrymq.cluster.quorum.QueueCommand.ConsumerDown;
import dev.ferrymq.cluster.quorum.QueueCommand.Credit;
import dev.ferrymq.cluster.quorum.QueueCommand.Dequeue;
import dev.ferrymq.cluster.quorum.QueueCommand.Discard;
import dev.ferrymq.cluster.quorum.QueueCommand.Enqueue;
import dev.ferrymq.cluster.quorum.QueueCommand.NodeDown;
import dev.ferrymq.cluster.quorum.QueueCommand.Purge;
import dev.ferrymq.cluster.quorum.QueueCommand.Return;
import dev.ferrymq.cluster.quorum.QueueCommand.Settle;
import dev.ferrymq.cluster.quorum.QueueCommand.Tick;
import java.util.ArrayList;
import java.util.List;

/**
 * The replicated state of one quorum queue, modelled on RabbitMQ's {@code rabbit_fifo}: ready messages,
 * consumers with what they hold, publisher sequence numbers and the queue arguments.
 *
 * <p>{@link #apply} is a pure function of the current state and the log entry: no clock, no randomness, no
 * iteration over unordered collections. That is what lets every replica, and a replay from a snapshot, reach
 * the same state and compute the same effects. Every apply runs the same steps: advance the time, expire
 * messages at the head, run the command, hand ready messages to consumers with credit, then enforce
 * {@code x-max-length} with drop-head.
 *
 * <p>Not thread-safe: one thread (Ratis' state machine updater) applies entries; readers must synchronise
 * with it (the {@link QuorumQueueStateMachine} does).
 */
public final class QuorumQueueState {
    QueueConfig config = QueueConfig.DEFAULT;
    /** The highest leader timestamp applied: leaders' clocks differ, and time must not go backwards. */
    long now;
    long nextMessageId = 1;
    /** Counts deliveries; a consumer's last value orders the round robin. */
    long serveCounter;
    final ReadyMessages ready = new ReadyMessages();
    final Consumers consumers = new Consumers();
    final Publishers publishers = new Publishers();
    /**
     * The queue's identity from its {@link Declare} entry, kept so that a replica restarting from a snapshot
     * (whose log no longer has that entry) still registers the queue; null before it is applied.
     */
    Declare declaration;

    public ApplyResult apply(LogEntry entry) {
        if (!(entry.command() instanceof QueueCommand.Batch batch)) {
            return applyOne(entry);
        }
        List<Reply> replies = new ArrayList<>(batch.commands().size());
        List<Effect> effects = new ArrayList<>();
        for (QueueCommand command : batch.commands()) {
            ApplyResult one = applyOne(new LogEntry(entry.timestamp(), command));
            replies.add(one.reply());
            effects.addAll(one.effects());
        }
        return new ApplyResult(replies, effects);
    }

    private ApplyResult applyOne(LogEntry entry) {
        now = Math.max(now, entry.timestamp());
        List<Effect> effects = new ArrayList<>();
        expireHead(effects);
        Reply reply = run(entry.command(), effects);
        deliver(effects);
        dropOverLimit(effects);
        return new ApplyResult(reply, effects);
    }

    private Reply run(QueueCommand command, List<Effect> effects) {
        if (command instanceof Enqueue e) {
            return enqueue(e, effects);
        } else if (command instanceof Settle s) {
            forEachHeld(s.consumer(), s.messageIds(), m -> { });
        } else if (command instanceof Return r) {
            forEachHeld(r.consumer(), r.messageIds(), m -> requeue(m, effects));
        } else if (command instanceof Discard d) {
            forEachHeld(d.consumer(), d.messageIds(),
                    m -> deadLetter(m.returned(), DeadLetterReason.REJECTED, effects));
        } else if (command instanceof Checkout c) {
            return checkout(c, effects);
        } else if (command instanceof Dequeue d) {
            return dequeue(d, effects);
        } else if (command instanceof Cancel c) {
            cancel(c.consumer(), effects);
        } else if (command instanceof Credit c) {
            ConsumerState consumer = consumers.get(c.consumer());
            if (consumer != null) {
                consumer.setPrefetch(c.prefetch());
            }
        } else if (command instanceof ConsumerDown d) {
            consumerDown(d.consumer(), effects);
        } else if (command instanceof NodeDown n) {
            for (ConsumerState c : consumers.onNode(n.node())) {
                consumerDown(c.id(), effects);
                // a node that was only cut off still has the consumer: it checks it out again
                effects.add(new ConsumerCancelled(c.id()));
            }
            publishers.forgetNode(n.node());
        } else if (command instanceof Purge) {
            return new Reply(Reply.Code.OK, ready.purge());
        } else if (command instanceof Configure c) {
            config = c.config();
        } else if (command instanceof Declare d) {
            config = d.config();
            declaration = d;
            effects.add(new Effect.Declared(d.vhost(), d.name(), d.arguments()));
        } else if (command instanceof Delete) {
            effects.add(new Effect.Deleted());
        } else if (!(command instanceof Tick)) {
            throw new IllegalArgumentException("unknown command " + command);
        }
        return Reply.OK;
    }

    private Reply enqueue(Enqueue e, List<Effect> effects) {
        if (publishers.isDuplicate(e.publisher(), e.seq())) {
            effects.add(new EnqueueSettled(e.publisher(), e.seq(), true));
            return new Reply(Reply.Code.DUPLICATE, 0);
        }
        if (config.overflow() == Overflow.REJECT_PUBLISH && wouldOverflow(e.content().length)) {
            // Not recorded as applied: a retry of a refused publish may be accepted once there is room.
            if (e.seq() > 0) {
                effects.add(new EnqueueSettled(e.publisher(), e.seq(), false));
            }
            return new Reply(Reply.Code.REJECTED, 0);
        }
        publishers.applied(e.publisher(), e.seq());
        long id = nextMessageId++;
        ready.add(new QueueMessage(id, expiresAt(e.expiration()), e.priority(), 0, e.content()));
        if (e.seq() > 0) {
            effects.add(new EnqueueSettled(e.publisher(), e.seq(), true));
        }
        return new Reply(Reply.Code.OK, id);
    }

    /** The sooner of the message's own expiration and the queue's TTL, both counted from the leader's time. */
    private long expiresAt(long messageExpiration) {
        long ttl = config.messageTtl();
        if (messageExpiration >= 0 && (ttl < 0 || messageExpiration < ttl)) {
            ttl = messageExpiration;
        }
        return ttl < 0 ? -1 : now + ttl;
    }

    private boolean wouldOverflow(int size) {
        return (config.maxLength() >= 0 && ready.size() + 1 > config.maxLength())
                || (config.maxLengthBytes() >= 0 && ready.bytes() + size > config.maxLengthBytes());
    }

    private Reply checkout(Checkout c, List<Effect> effects) {
        ConsumerState existing = consumers.get(c.consumer());
        if (existing != null) {
            existing.update(c.prefetch(), c.priority());
            return Reply.OK;
        }
        if (consumers.hasLiveExclusive() || (c.exclusive() && consumers.hasLiveConsumer())) {
            return new Reply(Reply.Code.CONSUMER_REFUSED, 0);
        }
        boolean waits = config.singleActiveConsumer() && consumers.hasActive();
        ConsumerState consumer = new ConsumerState(c.consumer(), c.prefetch(), c.priority(), c.exclusive(),
                waits ? Status.WAITING : Status.ACTIVE, 0);
        consumers.add(consumer);
        if (config.singleActiveConsumer()) {
            effects.add(new ConsumerActivity(c.consumer(), !waits));
        }
        return Reply.OK;
    }

    /** A getter is a consumer that never gets pushed messages (CANCELLED) and is dropped once it holds none. */
    private Reply dequeue(Dequeue d, List<Effect> effects) {
        QueueMessage message = ready.poll();
        if (message == null) {
            return new Reply(Reply.Code.EMPTY, 0);
        }
        if (!d.autoAck()) {
            ConsumerState getter = consumers.get(d.getter());
            if (getter == null) {
                getter = new ConsumerState(d.getter(), 0, 0, false, Status.CANCELLED, 0);
                consumers.add(getter);
            }
            getter.checkOut(message, ++serveCounter);
        }
        effects.add(new Deliver(d.getter(), message.id(), message.content(), message.acquiredCount() > 0,
                message.acquiredCount()));
        return new Reply(Reply.Code.OK, ready.size());
    }

    private void cancel(ConsumerId id, List<Effect> effects) {
        ConsumerState consumer = consumers.get(id);
        if (consumer == null || consumer.status() == Status.CANCELLED) {
            return;
        }
        boolean wasActive = consumer.status() == Status.ACTIVE;
        consumer.setStatus(Status.CANCELLED);
        removeIfDone(consumer);
        effects.add(new ConsumerCancelled(id));
        if (wasActive) {
            activateNextWaiting(effects);
        }
    }

    /** The consumer's channel is gone: everything it held goes back to the queue, and so does it. */
    private void consumerDown(ConsumerId id, List<Effect> effects) {
        ConsumerState consumer = consumers.get(id);
        if (consumer == null) {
            return;
        }
        for (QueueMessage m : consumer.releaseAll()) {
            requeue(m, effects);
        }
        consumers.remove(id);
        if (consumer.status() == Status.ACTIVE) {
            activateNextWaiting(effects);
        }
    }

    private void activateNextWaiting(List<Effect> effects) {
        if (!config.singleActiveConsumer() || consumers.hasActive()) {
            return;
        }
        ConsumerState next = consumers.nextWaiting();
        if (next != null) {
            next.setStatus(Status.ACTIVE);
            effects.add(new ConsumerActivity(next.id(), true));
        }
    }

    /** A returned message counts one more acquisition; past {@code x-delivery-limit} it is dead-lettered. */
    private void requeue(QueueMessage message, List<Effect> effects) {
        QueueMessage returned = message.returned();
        int limit = config.deliveryLimit();
        if (limit >= 0 && returned.acquiredCount() > limit) {
            deadLetter(returned, DeadLetterReason.DELIVERY_LIMIT, effects);
        } else {
            ready.addReturned(returned);
        }
    }

    private void forEachHeld(ConsumerId id, List<Long> messageIds, HeldAction action) {
        ConsumerState consumer = consumers.get(id);
        if (consumer == null) {
            return;
        }
        // Ascending ids: a multiple nack returns messages in their original order.
        for (long messageId : messageIds.stream().sorted().toList()) {
            QueueMessage message = consumer.release(messageId);
            if (message != null) {
                action.accept(message);
            }
        }
        removeIfDone(consumer);
    }

    private void removeIfDone(ConsumerState consumer) {
        if (consumer.status() == Status.CANCELLED && consumer.checkedOutCount() == 0) {
            consumers.remove(consumer.id());
        }
    }

    private void deliver(List<Effect> effects) {
        while (true) {
            expireHead(effects);
            if (ready.isEmpty()) {
                return;
            }
            ConsumerState consumer = consumers.nextWithCredit();
            if (consumer == null) {
                return;
            }
            QueueMessage message = ready.poll();
            consumer.checkOut(message, ++serveCounter);
            effects.add(new Deliver(consumer.id(), message.id(), message.content(),
                    message.acquiredCount() > 0, message.acquiredCount()));
        }
    }

    /** As rabbit_fifo, only the head expires: a message behind a longer-lived one waits until it is first. */
    private void expireHead(List<Effect> effects) {
        QueueMessage head;
        while ((head = ready.peek()) != null && head.isExpired(now)) {
            deadLetter(ready.poll(), DeadLetterReason.EXPIRED, effects);
        }
    }

    private void dropOverLimit(List<Effect> effects) {
        if (config.overflow() != Overflow.DROP_HEAD || !config.hasLengthLimit()) {
            return;
        }
        while (!ready.isEmpty() && ((config.maxLength() >= 0 && ready.size() > config.maxLength())
                || (config.maxLengthBytes() >= 0 && ready.bytes() > config.maxLengthBytes()))) {
            deadLetter(ready.poll(), DeadLetterReason.MAXLEN, effects);
        }
    }

    private static void deadLetter(QueueMessage message, DeadLetterReason reason, List<Effect> effects) {
        effects.add(new DeadLetter(message.id(), message.content(), reason, message.acquiredCount()));
    }

    // Read-only views, for management and tests. Callers synchronise with the applying thread.

    public QueueConfig config() {
        return config;
    }

    public int readyCount() {
        return ready.size();
    }

    public long readyBytes() {
        return ready.bytes();
    }

    public int checkedOutCount() {
        return consumers.all().stream().mapToInt(ConsumerState::checkedOutCount).sum();
    }

    /**
     * When the head message expires (leader time), or -1: the leader proposes a {@link Tick} then, since
     * nothing else may come to apply the expiry.
     */
    public long nextExpiry() {
        QueueMessage head = ready.peek();
        return head == null ? -1 : head.expiresAt();
    }

    /** Consumers that can still receive (not cancelled, not basic.get holders): what management shows. */
    /** What registers the queue on a node: its Declare entry's identity, or null before it was applied. */
    public Effect.Declared declared() {
        return declaration == null ? null
                : new Effect.Declared(declaration.vhost(), declaration.name(), declaration.arguments());
    }

    public boolean hasConsumersOn(String node) {
        return !consumers.onNode(node).isEmpty();
    }

    public int consumerCount() {
        return (int) consumers.all().stream().filter(c -> c.status() != Status.CANCELLED).count();
    }

    /** The ids of the messages {@code consumer} holds, oldest first; empty if it is unknown. */
    public List<Long> checkedOutBy(ConsumerId consumer) {
        ConsumerState state = consumers.get(consumer);
        return state == null ? List.of() : state.checkedOut().stream().map(QueueMessage::id).toList();
    }

    public boolean isActive(ConsumerId consumer) {
        ConsumerState state = consumers.get(consumer);
        return state != null && state.status() == Status.ACTIVE;
    }

    private interface HeldAction {
        void accept(QueueMessage message);
    }
}
