/**
 * Quorum queues: one Raft group per queue, whose replicas all apply the same log to the same deterministic
 * state machine. Modelled on RabbitMQ's {@code rabbit_fifo}.
 *
 * <h2>A log entry</h2>
 * A node proposes a {@link dev.ferrymq.cluster.quorum.QueueCommand} (enqueue, checkout, settle, return,
 * discard, dequeue, purge, credit, cancel, consumer down, node down, tick, configure) as bytes
 * ({@link dev.ferrymq.cluster.quorum.CommandCodec}). The leader, and only the leader, puts its wall-clock time
 * in front ({@link dev.ferrymq.cluster.quorum.LogEntry}) when it accepts the proposal; that is what Raft
 * replicates and commits.
 *
 * <h2>Why apply is deterministic</h2>
 * {@link dev.ferrymq.cluster.quorum.QuorumQueueState#apply} reads nothing but the state and the entry: no clock
 * (TTL uses the entry's timestamp, kept monotonic across leaders), no randomness, no hash-ordered iteration
 * (consumers and publishers are kept in log order, checked-out messages by id). So every replica, a replica
 * restarted from a snapshot, and a new member catching up all reach byte-for-byte the same state
 * ({@link dev.ferrymq.cluster.quorum.SnapshotCodec} is also the equality the tests check) and compute the same
 * effects, and the leader can change at any entry without anyone disagreeing about what happened.
 *
 * <h2>Effects run on one node each</h2>
 * Applying returns a {@link dev.ferrymq.cluster.quorum.Reply} for the proposer and a list of
 * {@link dev.ferrymq.cluster.quorum.Effect}s. Every replica (members, and non-voting listeners on the other
 * nodes, so that any node can serve consumers) computes them all, but each effect names who carries it out
 * ({@link dev.ferrymq.cluster.quorum.Effect#runsOn}): a delivery only on the node that owns the consumer's
 * connection, a publish outcome only on the publisher's node, a dead-letter only on the current leader. The
 * state machine never does I/O itself; it hands effects to an {@link dev.ferrymq.cluster.quorum.EffectListener}.
 *
 * <h2>Ratis</h2>
 * {@link dev.ferrymq.cluster.quorum.QuorumQueueStateMachine} is the {@code BaseStateMachine} that decodes
 * entries, applies them under a lock, replies, and writes/loads snapshots in Ratis'
 * {@code SimpleStateMachineStorage} layout so the log below a snapshot can be purged.
 */
package dev.ferrymq.cluster.quorum;
