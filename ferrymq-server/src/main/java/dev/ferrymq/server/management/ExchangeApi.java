package dev.ferrymq.server.management;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferrymq.amqp.BasicProperties;
import dev.ferrymq.broker.Exchange;
import dev.ferrymq.broker.Permissions.Access;
import dev.ferrymq.broker.Policy;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.broker.publish.PublishResult;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * /api/exchanges: list, show, declare, delete and publish. The default exchange is listed with the name "" and
 * addressed in paths as "amq.default", as in RabbitMQ.
 */
final class ExchangeApi {
    static final String DEFAULT_EXCHANGE_PATH_NAME = "amq.default";

    private final ApiContext ctx;

    ExchangeApi(ApiContext ctx) {
        this.ctx = ctx;
    }

    void register(Routes routes) {
        routes.pagedList("exchanges", r -> list(r, null))
                .pagedList("exchanges/{vhost}", r -> list(r, r.param("vhost")))
                .on("GET", "exchanges/{vhost}/{name}", this::show)
                .on("PUT", "exchanges/{vhost}/{name}", this::declare)
                .on("DELETE", "exchanges/{vhost}/{name}", this::delete)
                .on("POST", "exchanges/{vhost}/{name}/publish", this::publish);
    }

    private List<Object> list(ApiRequest r, String vhostName) {
        List<Object> out = new ArrayList<>();
        for (VirtualHost vhost : ctx.vhosts(r.user(), vhostName)) {
            out.add(defaultExchangeJson(vhost));
            List<Exchange> exchanges = new ArrayList<>(vhost.exchanges());
            exchanges.sort((a, b) -> a.name().compareTo(b.name()));
            for (Exchange exchange : exchanges) {
                out.add(exchangeJson(vhost, exchange));
            }
        }
        return out;
    }

    private Object show(ApiRequest r) {
        VirtualHost vhost = ctx.vhost(r.user(), r.param("vhost"));
        String name = r.param("name");
        if (name.equals(DEFAULT_EXCHANGE_PATH_NAME)) {
            return defaultExchangeJson(vhost);
        }
        return exchangeJson(vhost, find(vhost, name));
    }

    private static Exchange find(VirtualHost vhost, String name) {
        for (Exchange exchange : vhost.exchanges()) {
            if (exchange.name().equals(name)) {
                return exchange;
            }
        }
        throw ApiException.notFound();
    }

    private static Map<String, Object> defaultExchangeJson(VirtualHost vhost) {
        return Json.obj("name", "", "vhost", vhost.name(), "type", "direct", "durable", true,
                "auto_delete", false, "internal", false, "arguments", Map.of(), "user_who_performed_action",
                "rmq-internal", "policy", null);
    }

    private static Map<String, Object> exchangeJson(VirtualHost vhost, Exchange x) {
        Map<String, Object> json = Json.obj("name", x.name(), "vhost", vhost.name(), "type", x.type(), "durable", x.durable(),
                "auto_delete", x.autoDelete(), "internal", x.internal(), "arguments", Json.fromAmqp(x.arguments()),
                "user_who_performed_action", "", "policy", policyName(vhost, x));
        json.putAll(x.router().details()); // e.g. a delayed exchange's messages_delayed
        return json;
    }

    private static String policyName(VirtualHost vhost, Exchange x) {
        Policy policy = vhost.policies().forExchange(x.name());
        return policy == null ? null : policy.name();
    }

    private Object declare(ApiRequest r) {
        VirtualHost vhost = ctx.vhost(r.user(), r.param("vhost"));
        String name = r.param("name");
        ctx.check(r.user(), vhost.name(), Access.CONFIGURE, "exchange", name);
        JsonNode body = r.json();
        String type = Json.text(body, "type", null);
        if (type == null) {
            throw ApiException.badRequest("[{key_missing,type}]");
        }
        boolean existed = vhost.exchanges().stream().anyMatch(x -> x.name().equals(name));
        vhost.declareExchange(name, type, false, Json.bool(body, "durable", true),
                Json.bool(body, "auto_delete", false), Json.bool(body, "internal", false),
                Json.toAmqpTable(body.get("arguments")));
        return existed ? Routes.Status.NO_CONTENT : Routes.Status.CREATED;
    }

    private Object delete(ApiRequest r) {
        VirtualHost vhost = ctx.vhost(r.user(), r.param("vhost"));
        Exchange exchange = find(vhost, r.param("name"));
        ctx.check(r.user(), vhost.name(), Access.CONFIGURE, "exchange", exchange.name());
        vhost.deleteExchange(exchange.name(), "true".equals(r.query("if-unused")));
        return null;
    }

    /** Publishes one message; answers {"routed": bool} as RabbitMQ does. */
    private Object publish(ApiRequest r) {
        VirtualHost vhost = ctx.vhost(r.user(), r.param("vhost"));
        String name = r.param("name");
        ctx.check(r.user(), vhost.name(), Access.WRITE, "exchange", name);
        String exchange = name.equals(DEFAULT_EXCHANGE_PATH_NAME) ? "" : name;
        JsonNode body = r.json();
        if (!body.has("routing_key") || !body.has("payload")) {
            throw ApiException.badRequest("[{key_missing,routing_key}] or [{key_missing,payload}]");
        }
        String encoding = Json.text(body, "payload_encoding", "string");
        String payload = Json.text(body, "payload", "");
        byte[] bytes = switch (encoding) {
            case "string" -> payload.getBytes(StandardCharsets.UTF_8);
            case "base64" -> decodeBase64(payload);
            default -> throw ApiException.badRequest("invalid payload_encoding '" + encoding + "'");
        };
        BasicProperties properties = properties(body.path("properties"));
        PublishResult result = vhost.publisher().publish(exchange, Json.text(body, "routing_key", ""),
                properties.toBytes(), bytes);
        return Json.obj("routed", result.queues() > 0);
    }

    private static byte[] decodeBase64(String payload) {
        try {
            return Base64.getDecoder().decode(payload);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("payload is not valid base64");
        }
    }

    static BasicProperties properties(JsonNode p) {
        Map<String, Object> headers = p.has("headers") ? Json.toAmqpTable(p.get("headers")) : null;
        return new BasicProperties(Json.text(p, "content_type", null), Json.text(p, "content_encoding", null),
                headers, p.has("delivery_mode") ? p.get("delivery_mode").asInt() : null,
                p.has("priority") ? p.get("priority").asInt() : null, Json.text(p, "correlation_id", null),
                Json.text(p, "reply_to", null), Json.text(p, "expiration", null), Json.text(p, "message_id", null),
                p.has("timestamp") ? p.get("timestamp").asLong() : null, Json.text(p, "type", null),
                Json.text(p, "user_id", null), Json.text(p, "app_id", null), null);
    }
}
