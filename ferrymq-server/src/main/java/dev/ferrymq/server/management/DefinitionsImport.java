package dev.ferrymq.server.management;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ferrymq.broker.Broker;
import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.broker.VirtualHost;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Applies RabbitMQ definitions JSON (vhosts, users, permissions, topic permissions, policies, exchanges, queues,
 * bindings, in that order) to a broker: the body of POST /api/definitions, and the {@code load-definitions} file
 * the server reads at start (RabbitMQ's {@code load_definitions}). Sections FerryMQ has no notion of are ignored.
 */
public final class DefinitionsImport {
    private DefinitionsImport() {
    }

    /**
     * Reads a definitions file and applies it; IllegalArgumentException naming the file if it cannot be read, is
     * not JSON, or asks for something the broker refuses (what was applied before that stays).
     */
    public static void load(Broker broker, Path file) {
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(Files.readString(file));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("definitions file " + file + " is not JSON: "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("definitions file " + file + " cannot be read: "
                    + (e instanceof NoSuchFileException ? "no such file" : e.toString()), e);
        }
        try {
            apply(broker, body);
        } catch (ApiException | BrokerException e) {
            throw new IllegalArgumentException("definitions file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Applies parsed definitions; an {@link ApiException} 400 for a missing field or an unknown vhost. */
    static void apply(Broker broker, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("definitions must be a JSON object");
        }
        for (JsonNode v : body.path("vhosts")) {
            broker.addVirtualHost(required(v, "name"));
        }
        for (JsonNode u : body.path("users")) {
            String name = required(u, "name");
            broker.putUser(name, AccessApi.passwordHash(u, broker.users().get(name)), Json.tags(u.get("tags")));
        }
        for (JsonNode p : body.path("permissions")) {
            try {
                broker.setPermissions(required(p, "user"), required(p, "vhost"), Json.text(p, "configure", ""),
                        Json.text(p, "write", ""), Json.text(p, "read", ""));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(e.getMessage());
            }
        }
        for (JsonNode p : body.path("topic_permissions")) {
            try {
                broker.setTopicPermission(required(p, "user"), required(p, "vhost"), required(p, "exchange"),
                        Json.text(p, "write", ""), Json.text(p, "read", ""));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(e.getMessage());
            }
        }
        for (JsonNode p : body.path("policies")) {
            VirtualHost vhost = vhostOf(broker, p);
            vhost.setPolicy(PolicyApi.fromJson(vhost.name(), required(p, "name"), false, p));
        }
        for (JsonNode x : body.path("exchanges")) {
            vhostOf(broker, x).declareExchange(required(x, "name"), required(x, "type"), false,
                    Json.bool(x, "durable", true), Json.bool(x, "auto_delete", false), Json.bool(x, "internal", false),
                    Json.toAmqpTable(x.get("arguments")));
        }
        for (JsonNode q : body.path("queues")) {
            vhostOf(broker, q).declareQueue(required(q, "name"), false, Json.bool(q, "durable", true), false,
                    Json.bool(q, "auto_delete", false), Json.toAmqpTable(q.get("arguments")), null);
        }
        for (JsonNode b : body.path("bindings")) {
            VirtualHost vhost = vhostOf(broker, b);
            Map<String, Object> arguments = Json.toAmqpTable(b.get("arguments"));
            String routingKey = Json.text(b, "routing_key", "");
            if (Json.text(b, "destination_type", "queue").equals("queue")) {
                vhost.bindQueue(required(b, "destination"), required(b, "source"), routingKey, arguments, null);
            } else {
                vhost.bindExchange(required(b, "destination"), required(b, "source"), routingKey, arguments);
            }
        }
    }

    private static VirtualHost vhostOf(Broker broker, JsonNode node) {
        String name = required(node, "vhost");
        VirtualHost vhost = broker.virtualHost(name);
        if (vhost == null) {
            throw ApiException.badRequest("vhost '" + name + "' does not exist");
        }
        return vhost;
    }

    private static String required(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw ApiException.badRequest("[{key_missing," + field + "}]");
        }
        return value.asText();
    }
}
