package dev.ferrymq.amqp.frame;

/**
 * Emitted by {@link AmqpFrameDecoder} when the client's first bytes are not the AMQP 0-9-1 header.
 * The server should reply with {@link ProtocolHeader#BYTES} and close the connection.
 */
public record BadProtocolHeader() {}
