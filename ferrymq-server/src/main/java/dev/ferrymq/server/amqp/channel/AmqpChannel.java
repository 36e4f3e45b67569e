package dev.ferrymq.server.amqp.channel;

import dev.ferrymq.amqp.AmqpException;
import dev.ferrymq.amqp.BasicProperties;
import dev.ferrymq.amqp.Method;
import dev.ferrymq.amqp.ReplyCode;
import dev.ferrymq.amqp.frame.ContentBodyFrame;
import dev.ferrymq.amqp.frame.ContentHeaderFrame;
import dev.ferrymq.amqp.frame.Frame;
import dev.ferrymq.amqp.frame.Frames;
import dev.ferrymq.amqp.frame.MethodFrame;
import dev.ferrymq.amqp.method.BasicAck;
import dev.ferrymq.amqp.method.BasicCancel;
import dev.ferrymq.amqp.method.BasicCancelOk;
import dev.ferrymq.amqp.method.BasicConsume;
import dev.ferrymq.amqp.method.BasicConsumeOk;
import dev.ferrymq.amqp.method.BasicDeliver;
import dev.ferrymq.amqp.method.BasicGet;
import dev.ferrymq.amqp.method.BasicGetEmpty;
import dev.ferrymq.amqp.method.BasicGetOk;
import dev.ferrymq.amqp.method.BasicNack;
import dev.ferrymq.amqp.method.BasicPublish;
import dev.ferrymq.amqp.method.BasicQos;
import dev.ferrymq.amqp.method.BasicQosOk;
import dev.ferrymq.amqp.method.BasicRecover;
import dev.ferrymq.amqp.method.BasicRecoverAsync;
import dev.ferrymq.amqp.method.BasicRecoverOk;
import dev.ferrymq.amqp.method.BasicReject;
import dev.ferrymq.amqp.method.BasicReturn;
import dev.ferrymq.amqp.method.ChannelClose;
import dev.ferrymq.amqp.method.ChannelCloseOk;
import dev.ferrymq.amqp.method.ChannelFlow;
import dev.ferrymq.amqp.method.ChannelFlowOk;
import dev.ferrymq.amqp.method.ChannelOpen;
import dev.ferrymq.amqp.method.ChannelOpenOk;
import dev.ferrymq.amqp.method.ConfirmSelect;
import dev.ferrymq.amqp.method.ConfirmSelectOk;
import dev.ferrymq.amqp.method.ExchangeBind;
import dev.ferrymq.amqp.method.ExchangeBindOk;
import dev.ferrymq.amqp.method.ExchangeDeclare;
import dev.ferrymq.amqp.method.ExchangeDeclareOk;
import dev.ferrymq.amqp.method.ExchangeDelete;
import dev.ferrymq.amqp.method.ExchangeDeleteOk;
import dev.ferrymq.amqp.method.ExchangeUnbind;
import dev.ferrymq.amqp.method.ExchangeUnbindOk;
import dev.ferrymq.amqp.method.MethodHandler;
import dev.ferrymq.amqp.method.QueueBind;
import dev.ferrymq.amqp.method.QueueBindOk;
import dev.ferrymq.amqp.method.QueueDeclare;
import dev.ferrymq.amqp.method.QueueDeclareOk;
import dev.ferrymq.amqp.method.QueueDelete;
import dev.ferrymq.amqp.method.QueueDeleteOk;
import dev.ferrymq.amqp.method.QueuePurge;
import dev.ferrymq.amqp.method.QueuePurgeOk;
import dev.ferrymq.amqp.method.QueueUnbind;
import dev.ferrymq.amqp.method.QueueUnbindOk;
import dev.ferrymq.amqp.method.TxSelectOk;
import dev.ferrymq.amqp.method.TxSelect;
import dev.ferrymq.amqp.method.TxRollbackOk;
import dev.ferrymq.amqp.method.TxRollback;
import dev.ferrymq.amqp.method.TxCommitOk;
import dev.ferrymq.amqp.method.TxCommit;
import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.MessageCounters;
import dev.ferrymq.broker.Permissions;
import dev.ferrymq.broker.Permissions.Access;
import dev.ferrymq.broker.PublishBatch;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.queue.QueueEntry;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.server.amqp.AmqpConnection;
import dev.ferrymq.server.amqp.ConnectionInfo;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One AMQP channel: assembles published messages, tracks consumers, unacknowledged deliveries, prefetch and
 * publisher confirms. Runs on its connection's event loop, except {@link #reserveCredit} and
 * {@link #enqueueDelivery}, which queues call from their dispatching threads (those touch only atomics and a
 * concurrent queue).
 */
public final class AmqpChannel implements MethodHandler {
    private static final Logger log = LoggerFactory.getLogger(AmqpChannel.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int BASIC_CLASS_ID = 60;
    private static final int CONNECTION_CLASS_ID = 10;
    /** Deliveries waiting for the event loop; beyond this a consumer's queues wait instead. */
    private static final int MAX_PENDING_DELIVERIES = 2048;

    private enum State { OPEN, CLOSING, CLOSED }

    /**
     * A delivery queued for the event loop. {@code entry} is null for direct reply-to messages; {@code message}
     * is null when it must be read from the store when written.
     */
    private record Delivery(ChannelConsumer consumer, QueueEntry entry, Message message) {
    }

    /** A delivery awaiting ack; {@code consumer} is null for basic.get, which takes no prefetch credit. */
    private record Unacked(QueueEntry entry, ChannelConsumer consumer, long deliveredAtNanos) {
        Unacked(QueueEntry entry, ChannelConsumer consumer) {
            this(entry, consumer, System.nanoTime());
        }
    }

    private final AmqpConnection connection;
    private final int number;
    private final VirtualHost vhost;
    private volatile State state = State.OPEN;
    private int currentClassId;
    private int currentMethodId;

    // publishing
    private final IncomingMessage incoming = new IncomingMessage();
    private boolean confirmMode;
    private long publishSeq;
    /** Highest publish sequence number whose confirm is decided (sent, or pending). */
    private long confirmRequestedSeq;
    private long confirmSentSeq;
    /** Some publish since the last confirm request was written to the store and must be fsynced first. */
    private boolean storedSinceRequest;
    /** The confirm collecting this read batch's persistent publishes, or null before the first one. */
    private PendingConfirm collecting;
    /** Confirms decided but not sent, oldest first: acks go out in publish order. */
    private final ArrayDeque<PendingConfirm> pendingConfirms = new ArrayDeque<>();

    // consuming
    private final Map<String, ChannelConsumer> consumers = new LinkedHashMap<>();
    private final LinkedHashMap<Long, Unacked> unacked = new LinkedHashMap<>();
    private long deliveryTagSeq;
    private int consumerPrefetch;
    private volatile int channelPrefetch;
    private final AtomicInteger channelUnacked = new AtomicInteger();
    private final ConcurrentLinkedQueue<Delivery> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingCount = new AtomicInteger();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private volatile boolean starved;
    private boolean creditReturned;
    private String lastQueueName;
    /** Publishes and acknowledgements held back until tx.commit, or null outside transactional mode. */
    private Transaction transaction;
    private ChannelConsumer replyConsumer;
    private String replyAddress;
    /** The exchange last published to with write permission: skips the regex for a run of publishes to it. */
    private String writePermittedExchange;
    private final TopicAuthorisation topicAuthorisation;
    private final MessageCounters totals;

    public AmqpChannel(AmqpConnection connection, int number) {
        this.connection = connection;
        this.number = number;
        this.vhost = connection.vhost();
        this.totals = connection.server().broker().counters();
        this.topicAuthorisation = new TopicAuthorisation(connection.server().broker().topicPermissions(),
                connection.user().name(), vhost);
    }

    /** A snapshot for the management API; runs on the event loop. */
    public ConnectionInfo.ChannelInfo info() {
        List<ConnectionInfo.ConsumerInfo> consumerInfos = new ArrayList<>();
        for (ChannelConsumer consumer : consumers.values()) {
            consumerInfos.add(new ConnectionInfo.ConsumerInfo(consumer.tag(),
                    consumer.queue() == null ? VirtualHost.DIRECT_REPLY_TO : consumer.queue().name(),
                    !consumer.noAck(), consumer.prefetch()));
        }
        return new ConnectionInfo.ChannelInfo(number, confirmMode, transaction != null, consumerPrefetch,
                channelPrefetch, unacked.size(), consumerInfos);
    }

    public int number() {
        return number;
    }

    public boolean hasConsumers() {
        return !consumers.isEmpty();
    }

    public int currentClassId() {
        return currentClassId;
    }

    public int currentMethodId() {
        return currentMethodId;
    }

    public void opened() {
        send(new ChannelOpenOk());
    }

    // ---------------------------------------------------------------- frames

    public void onFrame(Frame frame) throws Exception {
        if (frame instanceof MethodFrame mf) {
            Method method = mf.method();
            incoming.checkMethodAllowed();
            currentClassId = method.classId();
            currentMethodId = method.methodId();
            if (state == State.CLOSING) {
                ClosingChannel.onMethod(this, method, incoming);
            } else if (method.classId() == CONNECTION_CLASS_ID) {
                throw AmqpException.connection(ReplyCode.COMMAND_INVALID, "unimplemented method");
            } else {
                method.dispatch(this);
            }
        } else if (frame instanceof ContentHeaderFrame header) {
            onContentHeader(header);
        } else if (frame instanceof ContentBodyFrame body) {
            onContentBody(body);
        }
    }

    /** Called once per socket read batch: sends publisher confirms, restarts queues that were waiting for credit. */
    public void endOfReadBatch() {
        if (publishSeq > confirmRequestedSeq) {
            requestConfirm(publishSeq);
        }
        if (creditReturned) {
            creditReturned = false;
            kickConsumers();
        }
    }

    // ---------------------------------------------------------------- channel class

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
        connection.channelClosed(this);
    }

    @Override
    public void onChannelCloseOk(ChannelCloseOk m) {
        if (state == State.CLOSING) {
            state = State.CLOSED;
            connection.channelClosed(this); // the number is free for a new channel.open
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
        if (state != State.OPEN || unacked.isEmpty()) {
            return;
        }
        Unacked oldest = unacked.values().iterator().next(); // deliveries are kept in delivery order
        if (nowNanos - oldest.deliveredAtNanos() > TimeUnit.MILLISECONDS.toNanos(timeoutMillis)) {
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
        log.warn("closing channel {} of connection {}: {}", number, connection.name(), replyText);
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
        for (ChannelConsumer consumer : List.copyOf(consumers.values())) {
            removeConsumer(consumer);
        }
        consumers.clear();
        requeue(new ArrayList<>(unacked.values()));
        unacked.clear();
        incoming.discardRest();
        drainDeliveries(); // requeues what queues handed us but we had not written yet
    }

    // ---------------------------------------------------------------- exchange class

    @Override
    public void onExchangeDeclare(ExchangeDeclare m) {
        if (!m.passive()) {
            checkExchange(Access.CONFIGURE, m.exchange());
        }
        vhost.declareExchange(m.exchange(), m.type(), m.passive(), m.durable(), m.autoDelete(), m.internal(),
                m.arguments());
        if (!m.noWait()) {
            send(new ExchangeDeclareOk());
        }
    }

    @Override
    public void onExchangeDelete(ExchangeDelete m) {
        checkExchange(Access.CONFIGURE, m.exchange());
        vhost.deleteExchange(m.exchange(), m.ifUnused());
        if (!m.noWait()) {
            send(new ExchangeDeleteOk());
        }
    }

    @Override
    public void onExchangeBind(ExchangeBind m) {
        checkExchange(Access.WRITE, m.destination());
        checkExchange(Access.READ, m.source());
        topicAuthorisation.checkBinding(m.source(), m.routingKey());
        vhost.bindExchange(m.destination(), m.source(), m.routingKey(), m.arguments());
        if (!m.noWait()) {
            send(new ExchangeBindOk());
        }
    }

    @Override
    public void onExchangeUnbind(ExchangeUnbind m) {
        checkExchange(Access.WRITE, m.destination());
        checkExchange(Access.READ, m.source());
        topicAuthorisation.checkBinding(m.source(), m.routingKey());
        vhost.unbindExchange(m.destination(), m.source(), m.routingKey(), m.arguments());
        if (!m.noWait()) {
            send(new ExchangeUnbindOk());
        }
    }

    // ---------------------------------------------------------------- queue class

    @Override
    public void onQueueDeclare(QueueDeclare m) {
        if (m.passive() && m.queue().equals(VirtualHost.DIRECT_REPLY_TO)) {
            // The pseudo-queue always "exists" with one consumer, as RabbitMQ reports it (Spring probes this way).
            send(new QueueDeclareOk(m.queue(), 0, 1));
            return;
        }
        String name = m.passive() ? resolveQueueName(m.queue()) : m.queue();
        if (!m.passive()) {
            checkQueueDeclare(m);
        }
        VirtualHost.DeclaredQueue declared;
        synchronized (vhost) { // declareQueue locks the vhost too: the limit check and the creation are one step
            checkQueueLimit(name, m.passive());
            declared = vhost.declareQueue(name, m.passive(), m.durable(), m.exclusive(), m.autoDelete(),
                    m.arguments(), connection);
        }
        lastQueueName = declared.queue().name();
        if (!m.noWait()) {
            send(new QueueDeclareOk(lastQueueName, declared.messageCount(), declared.consumerCount()));
        }
    }

    /** RabbitMQ's vhost max-queues limit: declaring a new queue beyond it is 406 PRECONDITION_FAILED. */
    private void checkQueueLimit(String name, boolean passive) {
        int max = connection.server().config().maxQueuesPerVhost();
        if (max == 0 || passive || vhost.queues().size() < max) {
            return;
        }
        boolean exists = !name.isEmpty() && vhost.queues().stream().anyMatch(q -> q.name().equals(name));
        if (!exists) {
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "cannot declare queue '" + name
                    + "': queue limit in vhost '" + vhost.name() + "' (" + max + ") is reached")
                    .withMethod(50, 10);
        }
    }

    @Override
    public void onQueueBind(QueueBind m) {
        String queue = resolveQueueName(m.queue());
        String routingKey = m.queue().isEmpty() && m.routingKey().isEmpty() ? queue : m.routingKey();
        checkQueue(Access.WRITE, queue);
        checkExchange(Access.READ, m.exchange());
        topicAuthorisation.checkBinding(m.exchange(), routingKey);
        vhost.bindQueue(queue, m.exchange(), routingKey, m.arguments(), connection);
        if (!m.noWait()) {
            send(new QueueBindOk());
        }
    }

    @Override
    public void onQueueUnbind(QueueUnbind m) {
        String queue = resolveQueueName(m.queue());
        checkQueue(Access.WRITE, queue);
        checkExchange(Access.READ, m.exchange());
        topicAuthorisation.checkBinding(m.exchange(), m.routingKey());
        vhost.unbindQueue(queue, m.exchange(), m.routingKey(), m.arguments(), connection);
        send(new QueueUnbindOk());
    }

    @Override
    public void onQueuePurge(QueuePurge m) {
        String queue = resolveQueueName(m.queue());
        checkQueue(Access.READ, queue);
        int purged = vhost.purgeQueue(queue, connection);
        if (!m.noWait()) {
            send(new QueuePurgeOk(purged));
        }
    }

    @Override
    public void onQueueDelete(QueueDelete m) {
        String queue = resolveQueueName(m.queue());
        checkQueue(Access.CONFIGURE, queue);
        int deleted = vhost.deleteQueue(queue, m.ifUnused(), m.ifEmpty(), connection);
        if (!m.noWait()) {
            send(new QueueDeleteOk(deleted));
        }
    }

    /** An empty queue name means the queue last declared on this channel (AMQP 0-9-1 "default queue"). */
    private String resolveQueueName(String name) {
        if (!name.isEmpty()) {
            return name;
        }
        if (lastQueueName == null) {
            throw AmqpException.channel(ReplyCode.NOT_FOUND, "no previously declared queue");
        }
        return lastQueueName;
    }

    // ---------------------------------------------------------------- publishing

    @Override
    public void onBasicPublish(BasicPublish m) {
        incoming.start(m); // first: if a check below fails, the content frames that follow are still expected
        if (m.immediate()) {
            throw AmqpException.connection(ReplyCode.NOT_IMPLEMENTED, "immediate=true");
        }
        if (!m.exchange().equals(writePermittedExchange)) {
            checkExchange(Access.WRITE, m.exchange());
            writePermittedExchange = m.exchange();
        }
    }

    private void onContentHeader(ContentHeaderFrame header) {
        incoming.checkHeader(header);
        long maxSize = connection.server().config().maxMessageSize();
        if (header.bodySize() > maxSize && state == State.OPEN) {
            incoming.discardRest();
            incoming.header(header); // its body frames still come: expected, checked and dropped
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "message size " + header.bodySize()
                    + " is larger than configured max size " + maxSize).withMethod(BASIC_CLASS_ID, 40);
        }
        if (incoming.header(header)) {
            publish();
        }
    }

    private void onContentBody(ContentBodyFrame body) {
        incoming.checkBody();
        if (incoming.body(body.payload())) {
            publish();
        }
    }

    private void publish() {
        BasicPublish method = incoming.method();
        byte[] rawProperties = incoming.properties();
        byte[] body = incoming.takeBody();
        currentClassId = BASIC_CLASS_ID;
        currentMethodId = 40;
        topicAuthorisation.checkPublish(method.exchange(), method.routingKey());
        BasicProperties properties = BasicProperties.decode(rawProperties);
        if (properties.userId() != null && !properties.userId().equals(connection.user().name())) {
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "user_id property set to '"
                    + properties.userId() + "' but authenticated user was '" + connection.user().name() + "'");
        }
        long expiresAt = expiresAt(properties.expiration());
        if (VirtualHost.DIRECT_REPLY_TO.equals(properties.replyTo())) {
            if (replyAddress == null) {
                throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "fast reply consumer does not exist");
            }
            rawProperties = properties.withReplyTo(replyAddress).toBytes();
        }
        Message message = new Message(method.exchange(), method.routingKey(), rawProperties, body,
                properties.persistent(), expiresAt);
        if (transaction != null) {
            transaction.add(() -> route(method, message, properties, null).stored());
            return;
        }
        totals.published.increment();
        if (!confirmMode) {
            route(method, message, properties, null);
            return;
        }
        if (collecting == null && message.persistent()) {
            collecting = new PendingConfirm();
        }
        VirtualHost.PublishResult routed = route(method, message, properties,
                message.persistent() ? collecting.batch : null);
        storedSinceRequest |= routed.stored();
        publishSeq++;
        if (routed.refused()) {
            nack(publishSeq);
        }
    }

    /**
     * Routes a complete message and returns it to the publisher if mandatory and unroutable. {@code batch} (may
     * be null) tracks the stored entries for an early confirm.
     */
    private VirtualHost.PublishResult route(BasicPublish method, Message message, BasicProperties properties,
                                            PublishBatch batch) {
        VirtualHost.PublishResult routed = vhost.publish(method.exchange(), method.routingKey(), message,
                properties::headers, batch);
        if (routed.congested() != null) {
            connection.pauseReadingFor(routed.congested());
        }
        if (routed.queues() == 0) {
            totals.unroutable.increment();
        }
        if (routed.queues() == 0 && method.mandatory()) {
            ByteBuf buf = connection.context().alloc().buffer();
            Frames.writeDelivery(buf, number, new BasicReturn(ReplyCode.NO_ROUTE, "NO_ROUTE", method.exchange(),
                    method.routingKey()), message.properties(), message.body(), connection.frameMax());
            connection.write(buf);
        }
        return routed;
    }

    /** The expiration property is a per-message TTL in milliseconds, as a string of digits (RabbitMQ's rule). */
    private static long expiresAt(String expiration) {
        if (expiration == null) {
            return Message.NEVER;
        }
        long ttl;
        try {
            ttl = Long.parseLong(expiration);
        } catch (NumberFormatException e) {
            ttl = -1;
        }
        if (ttl < 0) {
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "invalid expiration '" + expiration
                    + "': not a non-negative integer");
        }
        return System.currentTimeMillis() + ttl;
    }

    // ---------------------------------------------------------------- transactions

    @Override
    public void onTxSelect(TxSelect m) {
        if (confirmMode) {
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "cannot switch from confirm to tx mode");
        }
        if (transaction == null) {
            transaction = new Transaction();
        }
        send(new TxSelectOk());
    }

    @Override
    public void onTxCommit(TxCommit m) {
        if (transaction == null) {
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "channel is not transactional");
        }
        if (!transaction.commit()) {
            send(new TxCommitOk());
            return;
        }
        // Something was stored: commit-ok promises it is durable, so it waits for the next group commit.
        afterFsync(() -> {
            if (state == State.OPEN) {
                send(new TxCommitOk());
            }
        });
    }

    @Override
    public void onTxRollback(TxRollback m) {
        if (transaction == null) {
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "channel is not transactional");
        }
        transaction.rollback();
        send(new TxRollbackOk());
    }

    /**
     * Confirms every publish up to {@code seq}: at once when nothing was stored, otherwise once the store's next
     * group commit made it durable or every stored entry was consumed and acknowledged (or otherwise left its
     * queue), whichever comes first, as RabbitMQ does. Acks go out in order: a confirm that is ready waits for
     * every earlier one.
     */
    private void requestConfirm(long seq) {
        confirmRequestedSeq = seq;
        PendingConfirm confirm = collecting != null ? collecting : new PendingConfirm();
        collecting = null;
        confirm.seq = seq;
        pendingConfirms.add(confirm);
        if (storedSinceRequest) {
            storedSinceRequest = false;
            confirm.batch.close();
            afterFsync(confirm::markReady);
        } else {
            confirm.markReady(); // nothing stored: the batch has no entries and is never closed
        }
    }

    /**
     * A full queue refused publish {@code seq} (x-overflow reject-publish): everything before it is confirmed as
     * usual, and it gets a basic.nack in its turn.
     */
    private void nack(long seq) {
        if (seq - 1 > confirmRequestedSeq) {
            requestConfirm(seq - 1);
        }
        confirmRequestedSeq = seq;
        PendingConfirm refused = new PendingConfirm();
        refused.seq = seq;
        refused.nack = true;
        pendingConfirms.add(refused);
        refused.markReady();
    }

    private void sendReadyConfirms() {
        long lastAck = 0;
        while (!pendingConfirms.isEmpty() && pendingConfirms.peekFirst().ready) {
            PendingConfirm confirm = pendingConfirms.pollFirst();
            if (!confirm.nack) {
                lastAck = confirm.seq;
                continue;
            }
            if (lastAck > 0) {
                sendConfirm(lastAck);
                lastAck = 0;
            }
            if (state == State.OPEN) {
                send(new BasicNack(confirm.seq, false, false));
                confirmSentSeq = confirm.seq;
            }
        }
        if (lastAck > 0) {
            sendConfirm(lastAck);
        }
    }

    /** A confirm request for the publishes of one read batch. Its fields are used on the event loop only. */
    private final class PendingConfirm {
        /** Tracks the stored entries; once they have all left their queues the confirm need not wait for disk. */
        final PublishBatch batch = new PublishBatch(() -> connection.context().executor().execute(() -> {
            markReady();
            connection.flushIfPending();
        }));
        long seq;
        boolean ready;
        boolean nack;

        void markReady() {
            ready = true;
            sendReadyConfirms();
        }
    }

    /**
     * Runs {@code action} on this channel's event loop once everything stored so far is durable (then flushes);
     * if the store cannot fsync, the connection is closed instead: nothing may be reported durable.
     */
    private void afterFsync(Runnable action) {
        EventExecutor loop = connection.context().executor();
        vhost.persistence().syncer().whenDurable(() -> loop.execute(() -> {
            action.run();
            connection.flushIfPending();
        }), failure -> loop.execute(() -> connection.closeWithError(ReplyCode.INTERNAL_ERROR,
                "INTERNAL_ERROR - message store failed: " + failure.getMessage(), 0, 0)));
    }

    private void sendConfirm(long seq) {
        if (state == State.OPEN && seq > confirmSentSeq) {
            send(new BasicAck(seq, seq - confirmSentSeq > 1));
            totals.confirmed.add(seq - confirmSentSeq);
            confirmSentSeq = seq;
        }
    }

    @Override
    public void onConfirmSelect(ConfirmSelect m) {
        if (transaction != null) {
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "cannot switch from tx to confirm mode");
        }
        confirmMode = true;
        if (!m.nowait()) {
            send(new ConfirmSelectOk());
        }
    }

    // ---------------------------------------------------------------- consuming

    @Override
    public void onBasicQos(BasicQos m) {
        if (m.prefetchSize() != 0) {
            throw AmqpException.connection(ReplyCode.NOT_IMPLEMENTED, "prefetch_size!=0 (" + m.prefetchSize() + ")");
        }
        if (m.global()) {
            channelPrefetch = m.prefetchCount();
        } else {
            consumerPrefetch = m.prefetchCount();
        }
        send(new BasicQosOk());
        creditReturned = true; // a larger window may let waiting messages through
    }

    @Override
    public void onBasicConsume(BasicConsume m) {
        String queueName = resolveQueueName(m.queue());
        String tag = m.consumerTag().isEmpty() ? generateTag() : m.consumerTag();
        if (consumers.containsKey(tag)) {
            throw AmqpException.connection(ReplyCode.NOT_ALLOWED, "attempt to reuse consumer tag '" + tag + "'");
        }
        if (queueName.equals(VirtualHost.DIRECT_REPLY_TO)) {
            consumeDirectReplyTo(tag, m);
        } else {
            checkQueue(Access.READ, queueName);
            Queue queue = vhost.queue(queueName, connection);
            ChannelConsumer consumer = new ChannelConsumer(this, tag, queue, m.noAck(), consumerPrefetch,
                    consumerPriority(m.arguments()));
            consumers.put(tag, consumer);
            try {
                queue.addConsumer(consumer, m.exclusive());
            } catch (RuntimeException e) {
                consumers.remove(tag);
                throw e;
            }
        }
        // Deliveries the queue handed over already are written by a later event-loop task, after this reply.
        if (!m.noWait()) {
            send(new BasicConsumeOk(tag));
        }
    }

    /** The {@code x-priority} consumer argument: an integer, 0 when absent (RabbitMQ's rule). */
    private static int consumerPriority(Map<String, Object> arguments) {
        Object priority = arguments == null ? null : arguments.get("x-priority");
        if (priority == null) {
            return 0;
        }
        if (!(priority instanceof Byte || priority instanceof Short || priority instanceof Integer
                || priority instanceof Long)) {
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "invalid arg 'x-priority': "
                    + priority + " is not an integer");
        }
        return ((Number) priority).intValue();
    }

    private void consumeDirectReplyTo(String tag, BasicConsume m) {
        if (!m.noAck()) {
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "reply consumer cannot acknowledge");
        }
        if (replyConsumer != null) {
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "reply consumer already set");
        }
        ChannelConsumer consumer = new ChannelConsumer(this, tag, null, true, 0, 0);
        replyConsumer = consumer;
        replyAddress = vhost.registerReplyTarget(message -> enqueueDelivery(consumer, null, message));
        consumers.put(tag, consumer);
    }

    @Override
    public void onBasicCancel(BasicCancel m) {
        ChannelConsumer consumer = consumers.remove(m.consumerTag());
        if (consumer != null) {
            removeConsumer(consumer);
        }
        if (!m.noWait()) {
            send(new BasicCancelOk(m.consumerTag()));
        }
    }

    private void removeConsumer(ChannelConsumer consumer) {
        if (consumer == replyConsumer) {
            vhost.unregisterReplyTarget(replyAddress);
            replyConsumer = null;
            replyAddress = null;
        } else {
            consumer.queue().removeConsumer(consumer);
        }
    }

    /** A queue we consume from was deleted: tell the client with a server-sent basic.cancel. */
    public void cancelledByServer(ChannelConsumer consumer) {
        connection.context().executor().execute(() -> {
            if (state == State.OPEN && consumers.remove(consumer.tag()) != null) {
                send(new BasicCancel(consumer.tag(), true));
                connection.flushIfPending();
            }
        });
    }

    @Override
    public void onBasicGet(BasicGet m) {
        String queueName = resolveQueueName(m.queue());
        checkQueue(Access.READ, queueName);
        Queue queue = vhost.queue(queueName, connection);
        QueueEntry entry = queue.get(m.noAck());
        if (entry == null) {
            send(new BasicGetEmpty());
            return;
        }
        Message message;
        try {
            message = entry.message();
        } catch (RuntimeException e) {
            log.error("cannot read message for basic.get on channel {} of {}", number, connection.name(), e);
            if (!m.noAck()) {
                queue.requeue(List.of(entry));
            }
            throw AmqpException.channel(ReplyCode.INTERNAL_ERROR, "message store read failed: " + e.getMessage());
        }
        long tag = ++deliveryTagSeq;
        if (!m.noAck()) {
            unacked.put(tag, new Unacked(entry, null));
        }
        countDelivery(entry);
        ByteBuf buf = connection.context().alloc().buffer();
        Frames.writeDelivery(buf, number, new BasicGetOk(tag, entry.redelivered(), message.exchange(),
                message.routingKey(), queue.messageCount()), message.properties(), message.body(),
                connection.frameMax());
        connection.write(buf);
    }

    /** Called by queues on any thread: takes prefetch credit if the window and the socket allow. */
    public boolean reserveCredit(ChannelConsumer consumer) {
        if (state != State.OPEN) {
            return false;
        }
        if (pendingCount.get() >= MAX_PENDING_DELIVERIES || !connection.context().channel().isWritable()) {
            starved = true;
            // Make sure a drain runs after this point and sees the flag, even if the one in progress has just
            // checked it: otherwise nothing would restart this queue until the next publish.
            scheduleDrain();
            return false;
        }
        if (consumer.noAck()) {
            return true;
        }
        if (!consumer.takeCredit()) {
            return false;
        }
        int limit = channelPrefetch;
        if (limit == 0) {
            channelUnacked.incrementAndGet();
            return true;
        }
        while (true) {
            int current = channelUnacked.get();
            if (current >= limit) {
                consumer.returnCredit();
                return false;
            }
            if (channelUnacked.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    /** Called on any thread: queues a delivery and makes sure the event loop will write it. */
    public void enqueueDelivery(ChannelConsumer consumer, QueueEntry entry, Message message) {
        pending.offer(new Delivery(consumer, entry, message));
        pendingCount.incrementAndGet();
        scheduleDrain();
    }

    private void scheduleDrain() {
        if (drainScheduled.compareAndSet(false, true)) {
            connection.context().executor().execute(this::drainAndFlush);
        }
    }

    private void drainAndFlush() {
        drainDeliveries();
        connection.flushIfPending();
        if (starved && state == State.OPEN && connection.context().channel().isWritable()) {
            starved = false;
            kickConsumers();
        }
    }

    private void drainDeliveries() {
        drainScheduled.set(false);
        Delivery delivery;
        while ((delivery = pending.poll()) != null) {
            pendingCount.decrementAndGet();
            if (state == State.OPEN) {
                writeDelivery(delivery);
            } else if (delivery.entry() != null && !delivery.consumer().noAck()) {
                delivery.entry().queue().requeue(List.of(delivery.entry()));
            }
        }
    }

    private void writeDelivery(Delivery delivery) {
        Message message;
        try {
            message = delivery.message() != null ? delivery.message() : delivery.entry().message();
        } catch (RuntimeException e) {
            // A damaged store record: never deliver wrong bytes, never drop it silently. The entry goes back to
            // its queue and this channel closes loudly.
            log.error("cannot read message for delivery on channel {} of {}", number, connection.name(), e);
            closeWithError(ReplyCode.INTERNAL_ERROR, "INTERNAL_ERROR - message store read failed: " + e.getMessage(),
                    BASIC_CLASS_ID, 60);
            delivery.entry().queue().requeue(List.of(delivery.entry()));
            return;
        }
        long tag = ++deliveryTagSeq;
        ChannelConsumer consumer = delivery.consumer();
        if (!consumer.noAck()) {
            unacked.put(tag, new Unacked(delivery.entry(), consumer));
        }
        boolean redelivered = delivery.entry() != null && delivery.entry().redelivered();
        countDelivery(delivery.entry());
        ByteBuf buf = connection.context().alloc().buffer(64 + message.properties().length + message.bodySize());
        Frames.writeDelivery(buf, number, new BasicDeliver(consumer.tag(), tag, redelivered, message.exchange(),
                message.routingKey()), message.properties(), message.body(), connection.frameMax());
        connection.write(buf);
    }

    /** The socket became writable again. */
    public void resumeDeliveries() {
        if (starved) {
            starved = false;
            kickConsumers();
        }
    }

    private void kickConsumers() {
        for (ChannelConsumer consumer : List.copyOf(consumers.values())) {
            if (consumer.queue() != null) {
                consumer.queue().dispatch();
            }
        }
    }

    // ---------------------------------------------------------------- acknowledgements

    @Override
    public void onBasicAck(BasicAck m) {
        settleNowOrAtCommit(m.deliveryTag(), m.multiple(), () -> settleAcked(take(m.deliveryTag(), m.multiple())));
    }

    /** One settle call per run of entries from the same queue: a multiple ack is usually a single run. */
    private void settleAcked(List<Unacked> acked) {
        int from = 0;
        while (from < acked.size()) {
            Queue queue = acked.get(from).entry().queue();
            int to = from + 1;
            while (to < acked.size() && acked.get(to).entry().queue() == queue) {
                to++;
            }
            if (to - from == 1) {
                queue.settle(acked.get(from).entry());
            } else {
                List<QueueEntry> run = new ArrayList<>(to - from);
                for (int i = from; i < to; i++) {
                    run.add(acked.get(i).entry());
                }
                queue.settleAll(run);
            }
            queue.counters().acked.add(to - from);
            totals.acked.add(to - from);
            from = to;
        }
    }

    @Override
    public void onBasicNack(BasicNack m) {
        settleNowOrAtCommit(m.deliveryTag(), m.multiple(),
                () -> reject(take(m.deliveryTag(), m.multiple()), m.requeue()));
    }

    @Override
    public void onBasicReject(BasicReject m) {
        settleNowOrAtCommit(m.deliveryTag(), false, () -> reject(take(m.deliveryTag(), false), m.requeue()));
    }

    /** Outside a transaction settles at once; inside, checks the tag now and settles at commit. */
    private void settleNowOrAtCommit(long deliveryTag, boolean multiple, Runnable settle) {
        if (transaction == null) {
            settle.run();
            return;
        }
        if (multiple ? deliveryTag > deliveryTagSeq : !unacked.containsKey(deliveryTag)) {
            throw unknownDeliveryTag(deliveryTag);
        }
        transaction.add(() -> {
            settle.run();
            return false;
        });
    }

    private void reject(List<Unacked> rejected, boolean requeue) {
        if (requeue) {
            requeue(rejected);
        } else {
            for (Unacked settled : rejected) {
                settled.entry().queue().reject(settled.entry()); // dead-lettered if the queue says so
            }
        }
    }

    @Override
    public void onBasicRecover(BasicRecover m) {
        recover(m.requeue());
        send(new BasicRecoverOk());
    }

    @Override
    public void onBasicRecoverAsync(BasicRecoverAsync m) {
        recover(m.requeue());
    }

    private void recover(boolean requeue) {
        if (!requeue) {
            throw AmqpException.connection(ReplyCode.NOT_IMPLEMENTED, "requeue=false");
        }
        List<Unacked> all = new ArrayList<>(unacked.values());
        unacked.clear();
        all.forEach(this::returnCredit);
        requeue(all);
    }

    /** Removes and returns the deliveries an ack/nack/reject names; an unknown tag is a 406 channel error. */
    private List<Unacked> take(long deliveryTag, boolean multiple) {
        List<Unacked> taken = new ArrayList<>();
        if (multiple) {
            if (deliveryTag > deliveryTagSeq) {
                throw unknownDeliveryTag(deliveryTag);
            }
            Iterator<Map.Entry<Long, Unacked>> it = unacked.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<Long, Unacked> next = it.next();
                if (deliveryTag != 0 && next.getKey() > deliveryTag) {
                    break;
                }
                taken.add(next.getValue());
                it.remove();
            }
        } else {
            Unacked single = unacked.remove(deliveryTag);
            if (single == null) {
                throw unknownDeliveryTag(deliveryTag);
            }
            taken.add(single);
        }
        taken.forEach(this::returnCredit);
        return taken;
    }

    private void returnCredit(Unacked settled) {
        if (settled.consumer() != null) {
            settled.consumer().returnCredit();
            channelUnacked.decrementAndGet();
            creditReturned = true;
        }
    }

    private static AmqpException unknownDeliveryTag(long tag) {
        return AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "unknown delivery tag " + tag);
    }

    /** Requeues deliveries, one call per queue, in delivery order. */
    private static void requeue(List<Unacked> deliveries) {
        Map<Queue, List<QueueEntry>> byQueue = new LinkedHashMap<>();
        for (Unacked delivery : deliveries) {
            byQueue.computeIfAbsent(delivery.entry().queue(), q -> new ArrayList<>()).add(delivery.entry());
        }
        byQueue.forEach(Queue::requeue);
    }

    /** Statistics of a delivery or basic.get-ok; {@code entry} is null for direct reply-to. */
    private void countDelivery(QueueEntry entry) {
        totals.delivered.increment();
        if (entry != null) {
            MessageCounters queueCounters = entry.queue().counters();
            queueCounters.delivered.increment();
            if (entry.redelivered()) {
                queueCounters.redelivered.increment();
                totals.redelivered.increment();
            }
        }
    }

    // ---------------------------------------------------------------- access control

    /**
     * queue.declare needs configure on the queue (for a server-named queue, on a name of the form it will get),
     * and with a dead-letter exchange also read on the queue and write on that exchange, as in RabbitMQ.
     */
    private void checkQueueDeclare(QueueDeclare m) {
        String name = m.queue().isEmpty() ? VirtualHost.generateQueueName() : m.queue();
        checkQueue(Access.CONFIGURE, name);
        Object deadLetterExchange = m.arguments().get("x-dead-letter-exchange");
        if (deadLetterExchange != null) {
            checkQueue(Access.READ, name);
            checkExchange(Access.WRITE, deadLetterExchange.toString());
        }
    }

    private void checkQueue(Access access, String queue) {
        permissions().check(connection.user().name(), vhost.name(), access, "queue", queue);
    }

    /** The default exchange is checked under the name amq.default, as RabbitMQ does. */
    private void checkExchange(Access access, String exchange) {
        permissions().check(connection.user().name(), vhost.name(), access, "exchange",
                exchange.isEmpty() ? "amq.default" : exchange);
    }

    private Permissions permissions() {
        return connection.server().broker().permissions();
    }

    // ---------------------------------------------------------------- helpers

    private void send(Method method) {
        connection.send(number, method);
    }

    private static String generateTag() {
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        return "amq.ctag-" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }
}
