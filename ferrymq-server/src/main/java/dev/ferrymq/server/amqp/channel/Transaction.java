package dev.ferrymq.server.amqp.channel;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The work of an AMQP transaction (tx.select): publishes and acknowledgements queued in order and carried out
 * together at tx.commit, or dropped by tx.rollback. Confined to the channel's event loop.
 */
final class Transaction {
    /** Each action returns whether it wrote to the message store (commit-ok must then wait for an fsync). */
    private final List<BooleanSupplier> actions = new ArrayList<>();

    void add(BooleanSupplier action) {
        actions.add(action);
    }

    /** Runs every action in order; returns whether any stored a message. */
    boolean commit() {
        boolean stored = false;
        try {
            for (BooleanSupplier action : actions) {
                stored |= action.getAsBoolean();
            }
        } finally {
            actions.clear();
        }
        return stored;
    }

    void rollback() {
        actions.clear();
    }
}
