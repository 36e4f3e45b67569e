package dev.ferrymq.amqp.frame;

/** A heartbeat frame (type 8); the spec requires channel 0, which the receiver should enforce. */
public record HeartbeatFrame(int channel) implements Frame {}
