package dev.ferrymq.server.amqp.channel;

import dev.ferrymq.amqp.AmqpException;
import dev.ferrymq.amqp.Method;
import dev.ferrymq.amqp.ReplyCode;
import dev.ferrymq.amqp.method.TxCommitOk;
import dev.ferrymq.amqp.method.TxRollbackOk;
import dev.ferrymq.amqp.method.TxSelectOk;

import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The tx.* methods of one channel. After tx.select, publishes and acknowledgements are queued in a
 * {@link Transaction} until tx.commit; commit-ok waits for the next group commit when something was stored.
 * Runs on the channel's event loop.
 */
final class Transactions {
    private final Consumer<Method> send;
    private final Durability durability;
    private final BooleanSupplier open;
    /** Null outside transactional mode. */
    private Transaction transaction;

    Transactions(Consumer<Method> send, Durability durability, BooleanSupplier open) {
        this.send = send;
        this.durability = durability;
        this.open = open;
    }

    boolean active() {
        return transaction != null;
    }

    /** Queues an action until commit; it returns whether it wrote to the message store. */
    void add(BooleanSupplier action) {
        transaction.add(action);
    }

    void select(boolean confirmMode) {
        if (confirmMode) {
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "cannot switch from confirm to tx mode");
        }
        if (transaction == null) {
            transaction = new Transaction();
        }
        send.accept(new TxSelectOk());
    }

    void commit() {
        requireActive();
        if (!transaction.commit()) {
            send.accept(new TxCommitOk());
            return;
        }
        // Something was stored: commit-ok promises it is durable, so it waits for the next group commit.
        durability.afterFsync(() -> {
            if (open.getAsBoolean()) {
                send.accept(new TxCommitOk());
            }
        });
    }

    void rollback() {
        requireActive();
        transaction.rollback();
        send.accept(new TxRollbackOk());
    }

    private void requireActive() {
        if (transaction == null) {
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "channel is not transactional");
        }
    }
}
