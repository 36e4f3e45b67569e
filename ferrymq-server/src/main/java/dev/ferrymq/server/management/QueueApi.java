package dev.ferrymq.server.management;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferrymq.amqp.BasicProperties;
import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.Permissions.Access;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.queue.QueueEntry;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.server.management.MessageRates.Counter;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** /api/queues: list, show, declare, delete, purge and get messages, with RabbitMQ's field names. */
final class QueueApi {
    private final ApiContext ctx;

    QueueApi(ApiContext ctx) {
        this.ctx = ctx;
    }

    void register(Routes routes) {
        routes.pagedList("queues", r -> list(r, null))
                .pagedList("queues/{vhost}", r -> list(r, r.param("vhost")))
                .on("GET", "queues/{vhost}/{name}", r -> queueJson(queue(r)))
                .on("PUT", "queues/{vhost}/{name}", this::declare)
                .on("DELETE", "queues/{vhost}/{name}", this::delete)
                .on("DELETE", "queues/{vhost}/{name}/contents", this::purge)
                .on("POST", "queues/{vhost}/{name}/get", this::get);
    }

    /** The queues, rendered lazily: a page of a long list renders only its own queues (see {@link ListQuery}). */
    private LazyList<Queue> list(ApiRequest r, String vhostName) {
        List<Queue> queues = new ArrayList<>();
        for (VirtualHost vhost : ctx.vhosts(r.user(), vhostName)) {
            queues.addAll(vhost.queues());
        }
        return LazyList.byNameAndVhost(queues, Queue::name, q -> q.vhost().name(), this::queueJson);
    }

    private Queue queue(ApiRequest r) {
        VirtualHost vhost = ctx.vhost(r.user(), r.param("vhost"));
        for (Queue queue : vhost.queues()) {
            if (queue.name().equals(r.param("name"))) {
                return queue;
            }
        }
        throw ApiException.notFound();
    }

    Map<String, Object> queueJson(Queue q) {
        int ready = q.messageCount();
        int unacked = q.unackedCount();
        Map<String, Object> json = Json.obj("name", q.name(), "vhost", q.vhost().name(), "durable", q.durable(),
                "auto_delete", q.autoDelete(), "exclusive", q.exclusive(), "arguments", Json.fromAmqp(q.arguments()),
                "node", ctx.node, "type", q.type().name(), "state", "running",
                "policy", q.policies().policy() == null ? null : q.policies().policy().name(),
                "operator_policy", q.policies().operatorPolicy() == null ? null
                        : q.policies().operatorPolicy().name(),
                "effective_policy_definition", q.policies().effectiveDefinition(),
                "messages", ready + unacked, "messages_ready", ready, "messages_unacknowledged", unacked,
                "consumers", q.consumerCount(),
                // an estimate: FerryMQ does not track per-queue heap use
                "memory", 1024L + 96L * (ready + unacked),
                "message_stats", messageStats(q));
        json.putAll(q.details());
        return json;
    }

    private Map<String, Object> messageStats(Queue q) {
        long[] v = MessageRates.values(q.counters());
        return Json.obj(
                "publish", v[Counter.PUBLISHED.ordinal()],
                "publish_details", Json.rate(ctx.rates.queueRate(q, Counter.PUBLISHED)),
                "deliver_get", v[Counter.DELIVERED.ordinal()],
                "deliver_get_details", Json.rate(ctx.rates.queueRate(q, Counter.DELIVERED)),
                "ack", v[Counter.ACKED.ordinal()],
                "ack_details", Json.rate(ctx.rates.queueRate(q, Counter.ACKED)),
                "redeliver", v[Counter.REDELIVERED.ordinal()],
                "redeliver_details", Json.rate(ctx.rates.queueRate(q, Counter.REDELIVERED)));
    }

    private Object declare(ApiRequest r) {
        VirtualHost vhost = ctx.vhost(r.user(), r.param("vhost"));
        String name = r.param("name");
        ctx.check(r.user(), vhost.name(), Access.CONFIGURE, "queue", name);
        JsonNode body = r.json();
        boolean existed = vhost.queues().stream().anyMatch(q -> q.name().equals(name));
        vhost.declareQueue(name, false, Json.bool(body, "durable", true), false,
                Json.bool(body, "auto_delete", false), Json.toAmqpTable(body.get("arguments")), null);
        return existed ? Routes.Status.NO_CONTENT : Routes.Status.CREATED;
    }

    private Object delete(ApiRequest r) {
        Queue queue = queue(r);
        ctx.check(r.user(), queue.vhost().name(), Access.CONFIGURE, "queue", queue.name());
        queue.vhost().deleteQueue(queue.name(), "true".equals(r.query("if-unused")),
                "true".equals(r.query("if-empty")), queue.owner());
        return null;
    }

    private Object purge(ApiRequest r) {
        Queue queue = queue(r);
        ctx.check(r.user(), queue.vhost().name(), Access.READ, "queue", queue.name());
        queue.purge();
        return null;
    }

    /** Gets up to "count" messages, acking or requeueing them per "ackmode", as the management UI does. */
    private Object get(ApiRequest r) {
        Queue queue = queue(r);
        ctx.check(r.user(), queue.vhost().name(), Access.READ, "queue", queue.name());
        JsonNode body = r.json();
        int count = body.path("count").asInt(1);
        String ackMode = Json.text(body, "ackmode", "ack_requeue_true");
        if (!List.of("ack_requeue_true", "ack_requeue_false", "reject_requeue_true", "reject_requeue_false")
                .contains(ackMode)) {
            throw ApiException.badRequest("invalid ackmode '" + ackMode + "'");
        }
        boolean requeue = ackMode.endsWith("requeue_true");
        String encoding = Json.text(body, "encoding", "auto");
        int truncate = body.path("truncate").asInt(Integer.MAX_VALUE);
        List<QueueEntry> taken = new ArrayList<>();
        List<Object> out = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                QueueEntry entry = queue.get(false);
                if (entry == null) {
                    break;
                }
                taken.add(entry);
                out.add(messageJson(entry, queue.messageCount(), encoding, truncate));
            }
        } finally {
            if (requeue) {
                queue.requeue(taken);
            } else {
                taken.forEach(queue::settle);
            }
        }
        return out;
    }

    private static Map<String, Object> messageJson(QueueEntry entry, int remaining, String encoding, int truncate) {
        Message m = entry.message();
        byte[] body = m.body();
        byte[] shown = body.length > truncate ? java.util.Arrays.copyOf(body, truncate) : body;
        String payload = null;
        String payloadEncoding = "string";
        if (encoding.equals("auto")) {
            try {
                payload = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(shown)).toString();
            } catch (CharacterCodingException e) {
                payload = null;
            }
        }
        if (payload == null) {
            payload = Base64.getEncoder().encodeToString(shown);
            payloadEncoding = "base64";
        }
        return Json.obj("payload_bytes", body.length, "redelivered", entry.redelivered(),
                "exchange", m.exchange(), "routing_key", m.routingKey(), "message_count", remaining,
                "properties", propertiesJson(BasicProperties.decode(m.properties())),
                "payload", payload, "payload_encoding", payloadEncoding);
    }

    static Map<String, Object> propertiesJson(BasicProperties p) {
        Map<String, Object> out = Json.obj();
        putIfSet(out, "content_type", p.contentType());
        putIfSet(out, "content_encoding", p.contentEncoding());
        putIfSet(out, "headers", p.headers() == null ? null : Json.fromAmqp(p.headers()));
        putIfSet(out, "delivery_mode", p.deliveryMode());
        putIfSet(out, "priority", p.priority());
        putIfSet(out, "correlation_id", p.correlationId());
        putIfSet(out, "reply_to", p.replyTo());
        putIfSet(out, "expiration", p.expiration());
        putIfSet(out, "message_id", p.messageId());
        putIfSet(out, "timestamp", p.timestamp());
        putIfSet(out, "type", p.type());
        putIfSet(out, "user_id", p.userId());
        putIfSet(out, "app_id", p.appId());
        return out;
    }

    private static void putIfSet(Map<String, Object> out, String key, Object value) {
        if (value != null) {
            out.put(key, value);
        }
    }
}
