package dev.ferrymq.cluster.quorum;

/**
 * One entry of a quorum queue's Raft log: a command and the wall-clock time the leader stamped on it when it
 * accepted the proposal. The state machine uses this time, never its own clock, for TTL, so every replica,
 * and a replay after restart, expires exactly the same messages.
 */
public record LogEntry(long timestamp, QueueCommand command) {
}
