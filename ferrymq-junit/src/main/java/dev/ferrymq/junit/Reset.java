package dev.ferrymq.junit;

/** How {@link FerryMQTest} isolates the tests that share a broker, after each one. */
public enum Reset {
    /** Nothing: each test sees what the ones before it left. */
    NONE,
    /**
     * {@link dev.ferrymq.embedded.FerryMQBroker#purgeAll()}: every queue emptied; topology and consumers stay. The
     * choice when a Spring context declared the queues once at start and its listeners stay attached.
     */
    PURGE,
    /**
     * {@link dev.ferrymq.embedded.FerryMQBroker#resetAll()}: every queue, exchange, binding and policy deleted, the
     * definitions loaded again.
     */
    DELETE
}
