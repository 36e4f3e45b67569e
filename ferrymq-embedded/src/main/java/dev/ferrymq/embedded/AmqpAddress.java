package dev.ferrymq.embedded;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The parts of an AMQP URI as the RabbitMQ Java client reads them: no path means the vhost "/", a path of "/"
 * the vhost "" (and "/%2F" the vhost "/"); no user, or no password, means guest's. Parsed here rather than with the client's
 * ConnectionFactory, whose classes a broker start would otherwise load for nothing.
 */
record AmqpAddress(String host, int port, String username, String password, String virtualHost) {

    static AmqpAddress parse(String uri) {
        URI parsed;
        try {
            parsed = URI.create(uri);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an AMQP URI: " + uri, e);
        }
        String scheme = parsed.getScheme();
        if (parsed.getHost() == null || !("amqp".equalsIgnoreCase(scheme) || "amqps".equalsIgnoreCase(scheme))) {
            throw new IllegalArgumentException("not an AMQP URI (amqp://user:pass@host:port/vhost): " + uri);
        }
        int port = parsed.getPort() != -1 ? parsed.getPort() : "amqps".equalsIgnoreCase(scheme) ? 5671 : 5672;
        String username = FerryMQBroker.USER;
        String password = FerryMQBroker.PASSWORD;
        String userInfo = parsed.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            username = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            if (colon >= 0 && colon < userInfo.length() - 1) { // "user" and "user:" keep the default password
                password = decode(userInfo.substring(colon + 1));
            }
        }
        String path = parsed.getRawPath();
        String virtualHost = path == null || path.isEmpty() ? "/" : decode(path.substring(1));
        return new AmqpAddress(parsed.getHost(), port, username, password, virtualHost);
    }

    private static String decode(String part) {
        return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
