package dev.ferrymq.broker.publish;

import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.broker.DecodedProperties;
import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.PropertiesCodec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A message another cluster node routed to a classic queue homed on this node, and forwards here over an internode
 * connection: it is published to the pseudo-exchange {@link #EXCHANGE} with the queue's name as routing key, and
 * the {@link #HEADER} header carrying the exchange and routing key it was first published with. It goes straight
 * to that queue (never routed again, CC ignored: the publishing node routed it), with the header removed and its
 * first exchange and routing key, so that consumers see the message as published. Only the internode user may
 * publish to {@link #EXCHANGE}. Stateless.
 */
public final class ForwardedPublish {
    /** Reserved ("amq." names cannot be declared), and never an exchange of its own. */
    public static final String EXCHANGE = "amq.ferrymq.forward";
    /** A field array: the exchange and the routing key the message was published with. */
    public static final String HEADER = "x-ferrymq-forwarded";

    private ForwardedPublish() {
    }

    static PublishRequest request(String queue, byte[] properties, DecodedProperties decoded, byte[] body,
                                  PropertiesCodec codec) {
        Map<String, Object> headers = decoded.headers();
        if (headers == null || !(headers.get(HEADER) instanceof List<?> published) || published.size() != 2) {
            throw BrokerException.preconditionFailed("a forwarded message needs the " + HEADER + " header");
        }
        Map<String, Object> kept = new LinkedHashMap<>(headers);
        kept.remove(HEADER);
        Message message = new Message(String.valueOf(published.get(0)), String.valueOf(published.get(1)),
                codec.withHeaders(properties, kept.isEmpty() ? null : kept, false), body, decoded.persistent(),
                Publisher.expiresAt(decoded.expiration()), decoded.priority());
        return new PublishRequest("", queue, message, null);
    }
}
