package dev.ferrymq.server.amqp.channel;

import dev.ferrymq.amqp.AmqpException;
import dev.ferrymq.amqp.BasicProperties;
import dev.ferrymq.amqp.ReplyCode;
import dev.ferrymq.amqp.frame.ContentBodyFrame;
import dev.ferrymq.amqp.frame.ContentHeaderFrame;
import dev.ferrymq.amqp.frame.Frames;
import dev.ferrymq.amqp.method.BasicPublish;
import dev.ferrymq.amqp.method.BasicReturn;
import dev.ferrymq.broker.DecodedProperties;
import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.PublishBatch;
import dev.ferrymq.broker.Users;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.broker.publish.PublishRequest;
import dev.ferrymq.broker.publish.PublishResult;
import io.netty.buffer.ByteBuf;

import java.util.function.Supplier;

/**
 * basic.publish on one channel: assembles the message from its frames ({@link IncomingMessage}), checks it
 * (write permission, topic permission, {@code user_id}, {@code max-message-size}), rewrites a direct
 * reply-to address, routes it through the virtual host's {@code Publisher} (which counts it, checks its
 * {@code expiration} and applies CC/BCC) and returns it if mandatory and unroutable. In a
 * transaction the routing waits for tx.commit; in confirm mode each publish is reported to {@link Confirms}.
 * Runs on the channel's event loop.
 */
final class Publishing {
    private final ChannelHost host;
    private final int channel;
    private final VirtualHost vhost;
    private final String user;
    private final long maxMessageSize;
    private final AccessControl access;
    private final Confirms confirms;
    private final Transactions transactions;
    private final Supplier<String> replyAddress;
    private final IncomingMessage incoming = new IncomingMessage();

    /** @param replyAddress this channel's direct reply-to address, or null without a reply consumer */
    Publishing(ChannelHost host, int channel, ChannelServices services, AccessControl access, Confirms confirms,
               Transactions transactions, Supplier<String> replyAddress) {
        this.host = host;
        this.channel = channel;
        this.vhost = services.vhost();
        this.user = services.user();
        this.maxMessageSize = services.maxMessageSize();
        this.access = access;
        this.confirms = confirms;
        this.transactions = transactions;
        this.replyAddress = replyAddress;
    }

    /** The message being assembled, for the frame-order checks and for dropping it when the channel closes. */
    IncomingMessage incoming() {
        return incoming;
    }

    void start(BasicPublish m) {
        incoming.start(m); // first: if a check below fails, the content frames that follow are still expected
        if (m.immediate()) {
            throw AmqpException.connection(ReplyCode.NOT_IMPLEMENTED, "immediate=true");
        }
        access.checkPublish(m.exchange());
    }

    /**
     * A content header; returns whether the message is complete (then call {@link #publish()}). On an open
     * channel a body over {@code max-message-size} is 406, and its body frames are still expected and dropped.
     */
    boolean header(ContentHeaderFrame header, boolean open) {
        incoming.checkHeader(header);
        if (header.bodySize() > maxMessageSize && open) {
            incoming.discardRest();
            incoming.header(header); // its body frames still come: expected, checked and dropped
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "message size " + header.bodySize()
                    + " is larger than configured max size " + maxMessageSize)
                    .withMethod(BasicPublish.CLASS_ID, BasicPublish.METHOD_ID);
        }
        return incoming.header(header);
    }

    /** A content body frame; returns whether the message is complete (then call {@link #publish()}). */
    boolean body(ContentBodyFrame body) {
        incoming.checkBody();
        return incoming.body(body.payload());
    }

    /** Checks and routes the message just completed. */
    void publish() {
        BasicPublish method = incoming.method();
        byte[] rawProperties = incoming.properties();
        DecodedProperties properties = AmqpPropertiesCodec.decoded(incoming.decodedProperties());
        byte[] body = incoming.takeBody();
        access.checkPublishTopic(method.exchange(), method.routingKey());
        // another cluster node forwards messages as their publishers sent them
        if (properties.userId() != null && !properties.userId().equals(user) && !user.equals(Users.INTERNODE)) {
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "user_id property set to '"
                    + properties.userId() + "' but authenticated user was '" + user + "'");
        }
        if (VirtualHost.DIRECT_REPLY_TO.equals(properties.replyTo())) {
            String address = replyAddress.get();
            if (address == null) {
                throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "fast reply consumer does not exist");
            }
            rawProperties = BasicProperties.decode(rawProperties).withReplyTo(address).toBytes();
        }
        // the publisher checks the expiration (406 for one that is not a non-negative integer)
        PublishRequest request = vhost.publisher().prepare(method.exchange(), method.routingKey(), rawProperties,
                properties, body);
        if (transactions.active()) {
            transactions.add(() -> route(method, request, null).stored()); // counted as published at commit
            return;
        }
        if (!confirms.enabled()) {
            route(method, request, null);
            return;
        }
        PublishResult routed = route(method, request, confirms.batch());
        confirms.published(routed.stored(), routed.refused());
    }

    /**
     * Routes a complete message and returns it to the publisher if mandatory and unroutable. {@code batch} (may
     * be null) tracks the stored entries for an early confirm.
     */
    private PublishResult route(BasicPublish method, PublishRequest request, PublishBatch batch) {
        PublishResult routed = vhost.publisher().publish(request, batch);
        if (routed.congested() != null) {
            host.pauseReadingFor(routed.congested());
        }
        if (routed.queues() == 0 && method.mandatory()) {
            Message message = request.message();
            ByteBuf buf = host.alloc().buffer();
            Frames.writeDelivery(buf, channel, new BasicReturn(ReplyCode.NO_ROUTE, "NO_ROUTE", method.exchange(),
                    method.routingKey()), message.properties(), message.body(), host.frameMax());
            host.write(buf);
        }
        return routed;
    }
}
