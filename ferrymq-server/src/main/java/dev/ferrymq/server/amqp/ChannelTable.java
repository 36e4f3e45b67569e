package dev.ferrymq.server.amqp;

import dev.ferrymq.server.amqp.channel.ChannelInfo;
import dev.ferrymq.amqp.AmqpException;
import dev.ferrymq.amqp.ReplyCode;
import dev.ferrymq.amqp.frame.Frame;
import dev.ferrymq.amqp.frame.MethodFrame;
import dev.ferrymq.amqp.method.ChannelOpen;
import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.server.amqp.channel.AmqpChannel;
import dev.ferrymq.server.amqp.channel.ChannelServices;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The open channels of one connection: routes each frame to its channel, opens channels (channel_max bounds how
 * many are open, not their numbers), turns errors raised by a channel into channel.close or connection.close,
 * and runs RabbitMQ's consumer timeout check. Confined to the connection's event loop.
 */
final class ChannelTable {
    private final AmqpConnection connection;
    private final ChannelServices services;
    private final int channelMax;
    private final IntObjectHashMap<AmqpChannel> channels = new IntObjectHashMap<>();
    private ScheduledFuture<?> consumerTimeoutCheck;

    ChannelTable(AmqpConnection connection, ChannelServices services, int channelMax) {
        this.connection = connection;
        this.services = services;
        this.channelMax = channelMax;
    }

    void onFrame(Frame frame) throws Exception {
        AmqpChannel channel = channels.get(frame.channel());
        if (channel == null) {
            // no channel (never opened, or closed by the client): only channel.open may start one
            if (!(frame instanceof MethodFrame mf)) {
                throw AmqpException.connection(ReplyCode.UNEXPECTED_FRAME,
                        "expected method frame, got non method frame instead").withMethod(0, 0);
            }
            if (!(mf.method() instanceof ChannelOpen)) {
                throw AmqpException.connection(ReplyCode.CHANNEL_ERROR, "expected 'channel.open'")
                        .withMethod(mf.method().classId(), mf.method().methodId());
            }
            open(frame.channel());
            return;
        }
        try {
            channel.onFrame(frame);
        } catch (AmqpException e) {
            // an error raised while handling a method names it, unless it says otherwise
            AmqpException named = e.orMethod(channel.currentClassId(), channel.currentMethodId());
            if (named.connectionLevel()) {
                throw named;
            }
            channel.closeWithError(named.replyCode(), named.replyText(), named.classId(), named.methodId());
        } catch (BrokerException e) {
            if (e.connectionLevel()) {
                connection.closeWithError(e.replyCode(), e.getMessage(), channel.currentClassId(),
                        channel.currentMethodId());
            } else {
                channel.closeWithError(e.replyCode(), e.getMessage(), channel.currentClassId(),
                        channel.currentMethodId());
            }
        }
    }

    /** RabbitMQ limits how many channels are open, not their numbers (any number up to 65535 may open). */
    private void open(int number) {
        if (channels.size() >= channelMax) {
            throw AmqpException.connection(ReplyCode.NOT_ALLOWED, "number of channels opened (" + channels.size()
                    + ") has reached the negotiated channel_max (" + channelMax + ")").withMethod(0, 0);
        }
        AmqpChannel channel = new AmqpChannel(connection, number, services);
        channels.put(number, channel);
        channel.opened();
    }

    void remove(int number) {
        channels.remove(number);
    }

    void endOfReadBatch() {
        for (AmqpChannel channel : channels.values()) {
            channel.endOfReadBatch();
        }
    }

    void resumeDeliveries() {
        for (AmqpChannel channel : List.copyOf(channels.values())) {
            channel.resumeDeliveries();
        }
    }

    boolean anyConsumers() {
        for (AmqpChannel channel : channels.values()) {
            if (channel.hasConsumers()) {
                return true;
            }
        }
        return false;
    }

    /**
     * RabbitMQ's consumer_timeout: a delivery left unacknowledged for longer closes its channel with 406. Checked
     * a few times per timeout (at least every minute), which is as precise as RabbitMQ's own periodic check.
     */
    void scheduleConsumerTimeoutCheck(long timeoutMillis) {
        if (timeoutMillis <= 0) {
            return;
        }
        long period = Math.max(10, Math.min(timeoutMillis / 4, 60_000));
        consumerTimeoutCheck = connection.executor().scheduleAtFixedRate(() -> {
            long now = System.nanoTime();
            for (AmqpChannel channel : List.copyOf(channels.values())) {
                channel.checkConsumerTimeout(now, timeoutMillis);
            }
            connection.flushIfPending();
        }, period, period, TimeUnit.MILLISECONDS);
    }

    /** The socket closed: every channel gives back what it holds. */
    void closeAll() {
        if (consumerTimeoutCheck != null) {
            consumerTimeoutCheck.cancel(false);
        }
        for (AmqpChannel channel : List.copyOf(channels.values())) {
            channel.release();
        }
        channels.clear();
    }

    /** Snapshots for the management API, by channel number. */
    List<ChannelInfo> info() {
        List<ChannelInfo> infos = new ArrayList<>();
        for (AmqpChannel channel : channels.values()) {
            infos.add(channel.info());
        }
        infos.sort((a, b) -> Integer.compare(a.number(), b.number()));
        return infos;
    }
}
