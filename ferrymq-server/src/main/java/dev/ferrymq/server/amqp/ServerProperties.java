package dev.ferrymq.server.amqp;

import java.util.LinkedHashMap;
import java.util.Map;

/** The server-properties table of connection.start: who we are and which RabbitMQ extensions we support. */
public final class ServerProperties {
    public static final String PRODUCT = "FerryMQ";
    public static final String VERSION = versionFromJar();

    private ServerProperties() {
    }

    static Map<String, Object> create() {
        Map<String, Object> capabilities = new LinkedHashMap<>();
        capabilities.put("publisher_confirms", true);
        capabilities.put("exchange_exchange_bindings", true);
        capabilities.put("basic.nack", true);
        capabilities.put("consumer_cancel_notify", true);
        capabilities.put("connection.blocked", true);
        capabilities.put("consumer_priorities", false);
        capabilities.put("authentication_failure_close", true);
        capabilities.put("per_consumer_qos", true);
        capabilities.put("direct_reply_to", true);

        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("capabilities", capabilities);
        properties.put("product", PRODUCT);
        properties.put("version", VERSION);
        properties.put("platform", "Java " + Runtime.version().feature());
        properties.put("cluster_name", "ferrymq@" + hostName());
        properties.put("copyright", "Copyright (c) FerryMQ authors");
        properties.put("information", "Licensed under the Apache License 2.0");
        return properties;
    }

    private static String versionFromJar() {
        String version = ServerProperties.class.getPackage().getImplementationVersion();
        return version != null ? version : "0.1.0-SNAPSHOT";
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }
}
