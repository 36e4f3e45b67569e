package dev.ferrymq.server.management;

import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.server.amqp.ConnectionInfo;
import dev.ferrymq.server.amqp.channel.ChannelInfo;
import dev.ferrymq.server.amqp.ServerProperties;
import dev.ferrymq.server.management.MessageRates.Counter;

import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/** /api/overview and the health checks (/api/nodes is {@link NodesApi}). */
final class OverviewApi {
    /** The RabbitMQ version FerryMQ reports to tools that check it; the API follows 3.x paths. */
    static final String RABBITMQ_COMPATIBLE_VERSION = "3.13.0";

    private final ApiContext ctx;
    private final IntSupplier managementPort;

    OverviewApi(ApiContext ctx, IntSupplier managementPort) {
        this.ctx = ctx;
        this.managementPort = managementPort;
    }

    void register(Routes routes) {
        routes.on("GET", "overview", this::overview)
                .on("GET", "healthchecks/node", r -> Json.obj("status", "ok"))
                .on("GET", "health/checks/alarms", r -> alarmCheck())
                .on("GET", "health/checks/local-alarms", r -> alarmCheck())
                .on("GET", "aliveness-test/{vhost}", r -> {
                    ctx.vhost(r.user(), r.param("vhost"));
                    return Json.obj("status", "ok");
                })
                .on("GET", "extensions", r -> List.of());
    }

    private Object overview(ApiRequest r) {
        long ready = 0;
        long unacked = 0;
        long queues = 0;
        long exchanges = 0;
        List<VirtualHost> vhosts = ctx.visibleVhosts(r.user());
        for (VirtualHost vhost : vhosts) {
            exchanges += vhost.exchanges().size() + 1; // + the default exchange
            for (Queue queue : vhost.queues()) {
                queues++;
                ready += queue.messageCount();
                unacked += queue.unackedCount();
            }
        }
        List<ConnectionInfo> connections = ctx.admin.connections();
        int channels = 0;
        int consumers = 0;
        for (ConnectionInfo c : connections) {
            channels += c.channels().size();
            for (ChannelInfo ch : c.channels()) {
                consumers += ch.consumers().size();
            }
        }
        long[] totals = MessageRates.values(ctx.broker.counters());
        return Json.obj("management_version", RABBITMQ_COMPATIBLE_VERSION,
                "rabbitmq_version", RABBITMQ_COMPATIBLE_VERSION,
                "product_name", ServerProperties.PRODUCT, "product_version", ServerProperties.VERSION,
                "erlang_version", "none (Java " + Runtime.version() + ")",
                "cluster_name", ctx.node, "node", ctx.node,
                "rates_mode", "basic",
                "message_stats", Json.obj(
                        "publish", totals[Counter.PUBLISHED.ordinal()],
                        "publish_details", Json.rate(ctx.rates.brokerRate(Counter.PUBLISHED)),
                        "deliver_get", totals[Counter.DELIVERED.ordinal()],
                        "deliver_get_details", Json.rate(ctx.rates.brokerRate(Counter.DELIVERED)),
                        "ack", totals[Counter.ACKED.ordinal()],
                        "ack_details", Json.rate(ctx.rates.brokerRate(Counter.ACKED)),
                        "redeliver", totals[Counter.REDELIVERED.ordinal()],
                        "redeliver_details", Json.rate(ctx.rates.brokerRate(Counter.REDELIVERED)),
                        "confirm", totals[Counter.CONFIRMED.ordinal()],
                        "confirm_details", Json.rate(ctx.rates.brokerRate(Counter.CONFIRMED)),
                        "return_unroutable", totals[Counter.UNROUTABLE.ordinal()],
                        "return_unroutable_details", Json.rate(ctx.rates.brokerRate(Counter.UNROUTABLE))),
                "queue_totals", Json.obj("messages", ready + unacked, "messages_ready", ready,
                        "messages_unacknowledged", unacked),
                "object_totals", Json.obj("connections", connections.size(), "channels", channels,
                        "exchanges", exchanges, "queues", queues, "consumers", consumers),
                "listeners", List.of(
                        Json.obj("node", ctx.node, "protocol", "amqp", "ip_address", ctx.admin.bindAddress(),
                                "port", ctx.admin.amqpPort()),
                        Json.obj("node", ctx.node, "protocol", "http", "ip_address", ctx.admin.bindAddress(),
                                "port", managementPort.getAsInt())),
                "contexts", List.of(Json.obj("node", ctx.node, "description", "RabbitMQ Management",
                        "path", "/", "port", String.valueOf(managementPort.getAsInt()))));
    }

    /** RabbitMQ's health check: 200 without alarms, 503 while a memory or disk alarm is in effect. */
    private Map<String, Object> alarmCheck() {
        if (ctx.admin.alarms().isMemoryAlarm() || ctx.admin.alarms().isDiskAlarm()) {
            throw new ApiException(503, "failed", "There are alarms in effect in the cluster: "
                    + ctx.admin.alarms().reason());
        }
        return Json.obj("status", "ok");
    }
}
