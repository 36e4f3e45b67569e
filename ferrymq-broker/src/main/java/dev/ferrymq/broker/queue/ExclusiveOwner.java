package dev.ferrymq.broker.queue;

/**
 * What owns an exclusive queue: in practice the client connection that declared it (the transport's connection
 * implements this). Owners are compared by identity, so an implementation must not override
 * {@code equals}; a queue is usable only by its owner, and goes away when the owner closes
 * ({@link dev.ferrymq.broker.VirtualHost#connectionClosed}).
 */
public interface ExclusiveOwner {
    /** Whether {@code other} is this very owner. */
    default boolean isSameOwner(ExclusiveOwner other) {
        return this == other;
    }
}
