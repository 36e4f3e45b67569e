package dev.ferrymq.amqp.frame;

import dev.ferrymq.amqp.Method;

/** A method frame (type 1). */
public record MethodFrame(int channel, Method method) implements Frame {}
