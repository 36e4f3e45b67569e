package dev.ferrymq.server.amqp.channel;

import dev.ferrymq.amqp.AmqpException;
import dev.ferrymq.amqp.Method;
import dev.ferrymq.amqp.ReplyCode;
import dev.ferrymq.amqp.frame.ContentBodyFrame;
import dev.ferrymq.amqp.frame.ContentHeaderFrame;
import dev.ferrymq.amqp.frame.Frame;
import dev.ferrymq.amqp.frame.MethodFrame;
import dev.ferrymq.amqp.method.BasicAck;
import dev.ferrymq.amqp.method.BasicCancel;
import dev.ferrymq.amqp.method.BasicConsume;
import dev.ferrymq.amqp.method.BasicGet;
import dev.ferrymq.amqp.method.BasicNack;
import dev.ferrymq.amqp.method.BasicPublish;
import dev.ferrymq.amqp.method.BasicQos;
import dev.ferrymq.amqp.method.BasicRecover;
import dev.ferrymq.amqp.method.BasicRecoverAsync;
import dev.ferrymq.amqp.method.BasicRecoverOk;
import dev.ferrymq.amqp.method.BasicReject;
import dev.ferrymq.amqp.method.ChannelClose;
import dev.ferrymq.amqp.method.ChannelCloseOk;
import dev.ferrymq.amqp.method.ChannelFlow;
import dev.ferrymq.amqp.method.ChannelFlowOk;
import dev.ferrymq.amqp.method.ChannelOpen;
import dev.ferrymq.amqp.method.ChannelOpenOk;
import dev.ferrymq.amqp.method.ConfirmSelect;
import dev.ferrymq.amqp.method.ConnectionStart;
import dev.ferrymq.amqp.method.ExchangeBind;
import dev.ferrymq.amqp.method.ExchangeDeclare;
import dev.ferrymq.amqp.method.ExchangeDelete;
import dev.ferrymq.amqp.method.ExchangeUnbind;
import dev.ferrymq.amqp.method.MethodHandler;
import dev.ferrymq.amqp.method.QueueBind;
import dev.ferrymq.amqp.method.QueueDeclare;
import dev.ferrymq.amqp.method.QueueDelete;
import dev.ferrymq.amqp.method.QueuePurge;
import dev.ferrymq.amqp.method.QueueUnbind;
import dev.ferrymq.amqp.method.TxCommit;
import dev.ferrymq.amqp.method.TxRollback;
import dev.ferrymq.amqp.method.TxSelect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One AMQP channel: its state (open, closing after our channel.close, closed), the closing handshake, and the
 * dispatch of each method to the part that does the job, as RabbitMQ splits {@code rabbit_channel} from
 * {@code rabbit_confirms} and {@code rabbit_limiter}:
 * <ul>
 *   <li>{@link TopologyCommands}: exchange.* and queue.*;</li>
 *   <li>{@link Publishing}: basic.publish and its content frames, routing, mandatory returns;</li>
 *   <li>{@link Confirms}: publisher confirms; {@link Transactions}: tx.*;</li>
 *   <li>{@link ChannelConsumers}, {@link ChannelCredit} and {@link DeliveryQueue}: consumers, prefetch and
 *       deliveries;</li>
 *   <li>{@link UnackedTable}: delivery tags, ack/nack/reject, recover, the consumer timeout;</li>
 *   <li>{@link AccessControl}: permission checks.</li>
 * </ul>
 * Runs on its connection's event loop; the only calls from other threads are queues dispatching to its consumers
 * (see {@link DeliveryQueue}), which read the volatile state.
 */
public final class AmqpChannel implements MethodHandler {
    private static final Logger log = LoggerFactory.getLogger(AmqpChannel.class);

    /** The connection class (10), whose methods are never valid on a channel. */
    private static final int CONNECTION_CLASS_ID = ConnectionStart.CLASS_ID;

    private enum State { OPEN, CLOSING, CLOSED }

    private final ChannelHost host;
    private final int number;
    private volatile State state = State.OPEN;
    private int currentClassId;
    private int currentMethodId;

    private final TopologyCommands topology;
    private final Confirms confirms;
    private final Transactions transactions;
    private final ChannelCredit credit = new ChannelCredit();
    private final UnackedTable unacked;
    private final DeliveryQueue deliveries;
    private final ChannelConsumers consumers;
    private final Publishing publishing;

    public AmqpChannel(ChannelHost host, int number, ChannelServices services) {
        this.host = host;
        this.number = number;
        Consumer<Method> send = method -> host.send(number, method);
        BooleanSupplier open = this::isOpen;
        Durability durability = Durability.of(services.syncer(), host);
        AccessControl access = new AccessControl(services.permissions(), services.topicPermissions(),
                services.user(), services.vhost());
        this.topology = new TopologyCommands(send, services.vhost(), access, host.owner(),
                services.maxQueuesPerVhost());
        this.confirms = new Confirms(send, durability, host.executor(), host::flushIfPending, open,
                services.totals());
        this.transactions = new Transactions(send, durability, open);
        this.unacked = new UnackedTable(credit, services.totals());
        this.deliveries = new DeliveryQueue(host, number, open, credit, unacked, services.totals(),
                this::kickConsumers, this::closeWithError);
        this.consumers = new ChannelConsumers(send, host, open, services.vhost(), access, topology, credit,
                deliveries);
        this.publishing = new Publishing(host, number, services, access, confirms, transactions,
                consumers::replyAddress);
    }

    /** A snapshot for the management API; runs on the event loop. */
    public ChannelInfo info() {
        return new ChannelInfo(number, confirms.enabled(), transactions.active(),
                credit.consumerPrefetch(), credit.channelPrefetch(), unacked.size(), consumers.info());
    }

    public int number() {
        return number;
    }

    public boolean hasConsumers() {
        return consumers.any();
    }

    /** The class of the method being handled, which an error raised now names. */
    public int currentClassId() {
        return currentClassId;
    }

    public int currentMethodId() {
        return currentMethodId;
    }

    private boolean isOpen() {
        return state == State.OPEN;
    }

    public void opened() {
        send(new ChannelOpenOk());
    }

    // ---------------------------------------------------------------- frames

    public void onFrame(Frame frame) throws Exception {
        if (frame instanceof MethodFrame mf) {
            Method method = mf.method();
            publishing.incoming().checkMethodAllowed();
            currentClassId = method.classId();
            currentMethodId = method.methodId();
            if (state == State.CLOSING) {
                ClosingChannel.onMethod(this, method, publishing.incoming());
            } else if (method.classId() == CONNECTION_CLASS_ID) {
                throw AmqpException.connection(ReplyCode.COMMAND_INVALID, "unimplemented method");
            } else {
                method.dispatch(this);
            }
        } else if (frame instanceof ContentHeaderFrame header) {
            if (publishing.header(header, isOpen())) {
                publish();
            }
        } else if (frame instanceof ContentBodyFrame body) {
            if (publishing.body(body)) {
                publish();
            }
        }
    }

    /** A complete message; errors raised now name basic.publish, whatever came last. */
    private void publish() {
        currentClassId = BasicPublish.CLASS_ID;
        currentMethodId = BasicPublish.METHOD_ID;
        publishing.publish();
    }

    /** Called once per socket read batch: sends publisher confirms, restarts queues that were waiting for credit. */
    public void endOfReadBatch() {
        confirms.endOfReadBatch();
        if (credit.takeReturned()) {
            kickConsumers();
        }
    }

    /** The socket became writable again. */
    public void resumeDeliveries() {
        deliveries.resume();
    }

    private void kickConsumers() {
        consumers.kick();
    }

    // ---------------------------------------------------------------- channel class and closing

    @Override
    public void onChannelOpen(ChannelOpen m) {
        throw AmqpException.connection(ReplyCode.CHANNEL_ERROR, "second 'channel.open' seen");
    }

    @Override
    public void onChannelClose(ChannelClose m) {
        if (state == State.CLOSING) {
            send(new ChannelCloseOk()); // our close crossed the client's: still waiting for its close-ok
            return;
        }
        release();
        send(new ChannelCloseOk());
        state = State.CLOSED;
        host.channelClosed(number);
    }

    @Override
    public void onChannelCloseOk(ChannelCloseOk m) {
        if (state == State.CLOSING) {
            state = State.CLOSED;
            host.channelClosed(number); // the number is free for a new channel.open
        }
        // a stray close-ok on an open channel is ignored, as RabbitMQ does
    }

    @Override
    public void onChannelFlow(ChannelFlow m) {
        if (!m.active()) {
            throw AmqpException.connection(ReplyCode.NOT_IMPLEMENTED, "active=false");
        }
        send(new ChannelFlowOk(true));
    }

    /** Closes the channel with 406 if its oldest unacknowledged delivery is older than the consumer timeout. */
    public void checkConsumerTimeout(long nowNanos, long timeoutMillis) {
        if (state == State.OPEN && unacked.oldestOlderThan(nowNanos, TimeUnit.MILLISECONDS.toNanos(timeoutMillis))) {
            closeWithError(ReplyCode.PRECONDITION_FAILED, "PRECONDITION_FAILED - delivery acknowledgement on channel "
                    + number + " timed out. Timeout value used: " + timeoutMillis + " ms. This timeout value can be"
                    + " configured, see consumers doc guide to learn more", 0, 0);
        }
    }

    /** Closes this channel with a soft error; the connection and its other channels carry on. */
    public void closeWithError(int replyCode, String replyText, int classId, int methodId) {
        if (state != State.OPEN) {
            return;
        }
        log.warn("closing channel {} of connection {}: {}", number, host.name(), replyText);
        release();
        state = State.CLOSING;
        send(new ChannelClose(replyCode, replyText, classId, methodId));
    }

    /** Gives back everything the channel holds: consumers cancelled, unacked deliveries requeued in order. */
    public void release() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        consumers.cancelAll();
        unacked.requeueAll();
        publishing.incoming().discardRest();
        deliveries.drain(); // requeues what queues handed us but we had not written yet
    }

    // ---------------------------------------------------------------- exchange and queue classes

    @Override
    public void onExchangeDeclare(ExchangeDeclare m) {
        topology.declareExchange(m);
    }

    @Override
    public void onExchangeDelete(ExchangeDelete m) {
        topology.deleteExchange(m);
    }

    @Override
    public void onExchangeBind(ExchangeBind m) {
        topology.bindExchange(m);
    }

    @Override
    public void onExchangeUnbind(ExchangeUnbind m) {
        topology.unbindExchange(m);
    }

    @Override
    public void onQueueDeclare(QueueDeclare m) {
        topology.declareQueue(m);
    }

    @Override
    public void onQueueBind(QueueBind m) {
        topology.bindQueue(m);
    }

    @Override
    public void onQueueUnbind(QueueUnbind m) {
        topology.unbindQueue(m);
    }

    @Override
    public void onQueuePurge(QueuePurge m) {
        topology.purgeQueue(m);
    }

    @Override
    public void onQueueDelete(QueueDelete m) {
        topology.deleteQueue(m);
    }

    // ---------------------------------------------------------------- basic class, confirm, tx

    @Override
    public void onBasicPublish(BasicPublish m) {
        publishing.start(m);
    }

    @Override
    public void onConfirmSelect(ConfirmSelect m) {
        confirms.select(transactions.active(), m.nowait());
    }

    @Override
    public void onTxSelect(TxSelect m) {
        transactions.select(confirms.enabled());
    }

    @Override
    public void onTxCommit(TxCommit m) {
        transactions.commit();
    }

    @Override
    public void onTxRollback(TxRollback m) {
        transactions.rollback();
    }

    @Override
    public void onBasicQos(BasicQos m) {
        consumers.qos(m);
    }

    @Override
    public void onBasicConsume(BasicConsume m) {
        consumers.consume(m);
    }

    @Override
    public void onBasicCancel(BasicCancel m) {
        consumers.cancel(m);
    }

    @Override
    public void onBasicGet(BasicGet m) {
        consumers.get(m);
    }

    @Override
    public void onBasicAck(BasicAck m) {
        settleNowOrAtCommit(m.deliveryTag(), m.multiple(), () -> unacked.ack(m.deliveryTag(), m.multiple()));
    }

    @Override
    public void onBasicNack(BasicNack m) {
        settleNowOrAtCommit(m.deliveryTag(), m.multiple(),
                () -> unacked.reject(m.deliveryTag(), m.multiple(), m.requeue()));
    }

    @Override
    public void onBasicReject(BasicReject m) {
        settleNowOrAtCommit(m.deliveryTag(), false, () -> unacked.reject(m.deliveryTag(), false, m.requeue()));
    }

    /** Outside a transaction settles at once; inside, checks the tag now and settles at commit. */
    private void settleNowOrAtCommit(long deliveryTag, boolean multiple, Runnable settle) {
        if (!transactions.active()) {
            settle.run();
            return;
        }
        unacked.checkKnown(deliveryTag, multiple);
        transactions.add(() -> {
            settle.run();
            return false;
        });
    }

    @Override
    public void onBasicRecover(BasicRecover m) {
        unacked.recover(m.requeue());
        send(new BasicRecoverOk());
    }

    @Override
    public void onBasicRecoverAsync(BasicRecoverAsync m) {
        unacked.recover(m.requeue());
    }

    private void send(Method method) {
        host.send(number, method);
    }
}
