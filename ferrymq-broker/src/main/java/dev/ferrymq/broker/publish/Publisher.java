package dev.ferrymq.broker.publish;

import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.broker.DecodedProperties;
import dev.ferrymq.broker.Exchange;
import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.MessageCounters;
import dev.ferrymq.broker.PropertiesCodec;
import dev.ferrymq.broker.PublishBatch;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.broker.persistence.Persistence;
import dev.ferrymq.broker.queue.DeadLetter;
import dev.ferrymq.broker.queue.Queue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one publishing path of a virtual host, for every transport (AMQP, the HTTP API, the line listener) and for
 * dead letters. A publish is two steps: {@link #prepare} turns what the client sent (exchange, routing key,
 * properties decoded once, body) into a {@link PublishRequest} — expiry, priority and delivery mode set, CC/BCC
 * checked and BCC removed — and {@link #publish(PublishRequest, PublishBatch)} counts it as published, routes it
 * ({@link MessageRouter}), stores a persistent message once for all its durable queues, enqueues it, and routes the
 * dead letters that causes from a work list owned by the call ({@link DeadLetterWork}). A transaction holds the
 * request and publishes it at commit. The {@link PublishResult} says whether it was routed, stored or refused and
 * which queue is congested, so each transport can react (confirm, return, pause reading).
 *
 * <p>Thread-safety: stateless apart from the counters; any number of threads publish at once.
 */
public final class Publisher {
    private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);

    private final VirtualHost vhost;
    private final MessageRouter router;
    private final DirectReplyTo directReplyTo;
    private final MessageCounters counters;

    /** @param counters the broker-wide counters that {@code published} and {@code unroutable} are counted in */
    public Publisher(VirtualHost vhost, MessageRouter router, DirectReplyTo directReplyTo, MessageCounters counters) {
        this.vhost = vhost;
        this.router = router;
        this.directReplyTo = directReplyTo;
        this.counters = counters;
    }

    /** Decodes the properties once and publishes at once: the path of the HTTP API and the line listener. */
    public PublishResult publish(String exchange, String routingKey, byte[] properties, byte[] body) {
        DecodedProperties decoded = vhost.propertiesCodec().decode(properties);
        return publish(prepare(exchange, routingKey, properties, decoded, body), null);
    }

    /**
     * Creates the message from what the client sent. {@code decoded} must be {@code properties} decoded (by
     * {@link PropertiesCodec#decode}); nothing decodes them again.
     *
     * @throws BrokerException 406 for an expiration that is not a non-negative integer, or a CC/BCC header that is
     *                         not an array
     */
    public PublishRequest prepare(String exchange, String routingKey, byte[] properties, DecodedProperties decoded,
                                  byte[] body) {
        if (ForwardedPublish.EXCHANGE.equals(exchange)) { // from another node of the cluster
            return ForwardedPublish.request(routingKey, properties, decoded, body, vhost.propertiesCodec());
        }
        Message message = new Message(exchange, routingKey, properties, body, decoded.persistent(),
                expiresAt(decoded.expiration()), decoded.priority());
        Map<String, Object> headers = decoded.headers();
        return new PublishRequest(exchange, routingKey,
                SenderSelected.accept(message, headers, vhost.propertiesCodec()), headers);
    }

    /**
     * Counts the message as published and routes it; if it is stored, {@code batch} (may be null) tracks its
     * entries until they have all left their queues.
     *
     * @throws BrokerException 404 for a missing exchange, 403 for an internal one
     */
    public PublishResult publish(PublishRequest request, PublishBatch batch) {
        counters.published.increment();
        PublishResult result = route(request.exchange(), request.routingKey(), request.message(), request.headers(),
                batch);
        if (result.queues() == 0) {
            counters.unroutable.increment();
        }
        return result;
    }

    /**
     * Routes and enqueues a message that is already made, without counting it as a client's publish (tests and
     * the {@link VirtualHost#publish} shortcut). The message must have been through {@link #prepare} or be free
     * of BCC.
     */
    public PublishResult route(String exchangeName, String routingKey, Message message, Map<String, Object> headers,
                               PublishBatch batch) {
        Exchange exchange = null;
        if (!exchangeName.isEmpty()) {
            exchange = vhost.findExchange(exchangeName);
            if (exchange == null) {
                throw BrokerException.notFound("no exchange '" + exchangeName + "' in vhost '" + vhost.name() + "'");
            }
            if (exchange.internal()) {
                throw BrokerException.accessRefused("cannot publish to internal exchange '" + exchangeName
                        + "' in vhost '" + vhost.name() + "'");
            }
        }
        List<Queue> matched = router.route(exchange, routingKey, SenderSelected.keys(headers), headers);
        if (matched.isEmpty()) {
            return exchange == null && directReplyTo.deliver(routingKey, message) ? PublishResult.DIRECT_REPLY
                    : PublishResult.UNROUTED;
        }
        DeadLetterWork deadLetters = new DeadLetterWork();
        PublishResult result = deliver(matched, message, batch, deadLetters);
        routeDeadLetters(deadLetters);
        return result;
    }

    /**
     * Republishes a dead letter (see {@link DeadLetter}) through its dead-letter exchange, and whatever dead letters
     * delivering it causes, until none is left. Queues call this (through their host) outside their lock.
     */
    public void deadLetter(Message deadLetter) {
        DeadLetterWork work = new DeadLetterWork();
        work.add(deadLetter);
        routeDeadLetters(work);
    }

    private void routeDeadLetters(DeadLetterWork work) {
        for (Message next = work.poll(); next != null; next = work.poll()) {
            routeDeadLetter(next, work);
        }
    }

    /**
     * Routes a dead letter, leaving out queues where it would go round an automatic cycle. A missing dead-letter
     * exchange drops it, and so does the lack of a properties codec (no x-death headers, so no cycle detection).
     */
    private void routeDeadLetter(Message deadLetter, DeadLetterWork work) {
        PropertiesCodec codec = vhost.propertiesCodec();
        if (codec == PropertiesCodec.OPAQUE) {
            LOG.debug("dropping dead letter: no properties codec in vhost '{}'", vhost.name());
            return;
        }
        Exchange exchange = null;
        if (!deadLetter.exchange().isEmpty()) {
            exchange = vhost.findExchange(deadLetter.exchange());
            if (exchange == null) {
                LOG.debug("dropping dead letter: no dead-letter exchange '{}' in vhost '{}'", deadLetter.exchange(),
                        vhost.name());
                return;
            }
        }
        Map<String, Object> headers = codec.headers(deadLetter.properties());
        // Without x-dead-letter-routing-key a dead letter keeps its CC keys (DeadLetter drops CC otherwise).
        List<Queue> matched = router.routeWithoutAlternate(exchange, deadLetter.routingKey(),
                SenderSelected.keysOrNone(headers), headers);
        List<Queue> targets = new ArrayList<>(matched.size());
        for (Queue queue : matched) {
            if (!DeadLetter.cycles(deadLetter, queue, codec)) {
                targets.add(queue);
            }
        }
        if (!targets.isEmpty()) {
            deliver(targets, deadLetter, null, work);
        }
    }

    /** Enqueues on every queue; a persistent message is stored once, referenced by each durable queue. */
    private PublishResult deliver(List<Queue> matched, Message message, PublishBatch batch, DeadLetterWork work) {
        long position = Queue.NOT_STORED;
        Persistence persistence = vhost.persistence();
        if (message.persistent() && persistence != null) {
            int durableQueues = 0;
            for (Queue queue : matched) {
                if (queue.keepsPersistentMessages()) {
                    durableQueues++;
                }
            }
            if (durableQueues > 0) {
                position = persistence.storeMessage(message, durableQueues);
            }
        }
        Queue congested = null;
        boolean refused = false;
        boolean appended = false;
        for (Queue queue : matched) {
            appended |= queue.appendsEveryMessage();
            refused |= !queue.publish(message, queue.keepsPersistentMessages() ? position : Queue.NOT_STORED,
                    batch, work);
            queue.counters().published.increment();
            if (congested == null && queue.congested()) {
                congested = queue;
            }
        }
        return new PublishResult(matched.size(), position != Queue.NOT_STORED || appended, congested, refused);
    }

    /** The expiration property is a per-message TTL in milliseconds, as a string of digits (RabbitMQ's rule). */
    static long expiresAt(String expiration) {
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
            throw BrokerException.preconditionFailed("invalid expiration '" + expiration
                    + "': not a non-negative integer");
        }
        return System.currentTimeMillis() + ttl;
    }
}
