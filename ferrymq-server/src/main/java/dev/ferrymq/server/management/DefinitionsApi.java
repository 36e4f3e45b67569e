package dev.ferrymq.server.management;

import dev.ferrymq.broker.Exchange;
import dev.ferrymq.broker.Permissions;
import dev.ferrymq.broker.Policy;
import dev.ferrymq.broker.TopicPermissions;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.Users;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.server.amqp.ServerProperties;

import java.util.ArrayList;
import java.util.List;

/**
 * GET /api/definitions exports, POST /api/definitions imports users, vhosts, permissions, topic permissions,
 * policies, queues, exchanges and bindings in RabbitMQ's definitions JSON, so a file exported from RabbitMQ loads
 * here and back. Only durable, non-exclusive queues and durable exchanges are exported (as RabbitMQ does); operator
 * policies are not part of definitions; sections FerryMQ has no notion of (parameters) are exported empty and
 * ignored on import.
 */
final class DefinitionsApi {
    private final ApiContext ctx;

    DefinitionsApi(ApiContext ctx) {
        this.ctx = ctx;
    }

    void register(Routes routes) {
        routes.on("GET", "definitions", this::export)
                .on("POST", "definitions", this::importDefinitions);
    }

    private Object export(ApiRequest r) {
        ApiContext.requireAdministrator(r.user());
        List<Object> users = new ArrayList<>();
        for (Users.User user : ctx.broker.users().all()) {
            users.add(AccessApi.userJson(user));
        }
        List<Object> vhosts = new ArrayList<>();
        List<Object> queues = new ArrayList<>();
        List<Object> exchanges = new ArrayList<>();
        List<Object> bindings = new ArrayList<>();
        List<Object> policies = new ArrayList<>();
        for (VirtualHost vhost : ctx.broker.virtualHosts()) {
            vhosts.add(Json.obj("name", vhost.name(), "limits", List.of(),
                    "metadata", Json.obj("description", "", "tags", List.of())));
            for (Policy p : vhost.policies().all(false)) {
                policies.add(PolicyApi.policyJson(p));
            }
            for (Queue q : vhost.queues()) {
                if (q.durable() && !q.exclusive()) {
                    queues.add(Json.obj("name", q.name(), "vhost", vhost.name(), "durable", true,
                            "auto_delete", q.autoDelete(), "arguments", Json.fromAmqp(q.arguments())));
                }
            }
            for (Exchange x : vhost.exchanges()) {
                if (x.durable() && !x.name().startsWith("amq.")) {
                    exchanges.add(Json.obj("name", x.name(), "vhost", vhost.name(), "type", x.type(),
                            "durable", true, "auto_delete", x.autoDelete(), "internal", x.internal(),
                            "arguments", Json.fromAmqp(x.arguments())));
                }
            }
            for (BindingApi.View b : BindingApi.views(vhost)) {
                if (!b.source().isEmpty() && isExported(vhost, b)) {
                    bindings.add(Json.obj("source", b.source(), "vhost", vhost.name(), "destination",
                            b.destination(), "destination_type", b.destinationType(), "routing_key", b.routingKey(),
                            "arguments", Json.fromAmqp(b.arguments())));
                }
            }
        }
        List<Object> permissions = new ArrayList<>();
        for (Permissions.Permission p : ctx.broker.permissions().all()) {
            permissions.add(AccessApi.permissionJson(p));
        }
        List<Object> topicPermissions = new ArrayList<>();
        for (TopicPermissions.TopicPermission p : ctx.broker.topicPermissions().all()) {
            topicPermissions.add(TopicPermissionApi.json(p));
        }
        return Json.obj("rabbit_version", OverviewApi.RABBITMQ_COMPATIBLE_VERSION,
                "rabbitmq_version", OverviewApi.RABBITMQ_COMPATIBLE_VERSION,
                "product_name", ServerProperties.PRODUCT, "product_version", ServerProperties.VERSION,
                "users", users, "vhosts", vhosts, "permissions", permissions, "topic_permissions", topicPermissions,
                "parameters", List.of(), "global_parameters", List.of(), "policies", policies,
                "queues", queues, "exchanges", exchanges, "bindings", bindings);
    }

    /** A binding is exported when both ends are (durable; built-in exchanges always exist). */
    private static boolean isExported(VirtualHost vhost, BindingApi.View b) {
        if (b.destinationType().equals("queue")) {
            return vhost.queues().stream().anyMatch(q -> q.name().equals(b.destination()) && q.durable()
                    && !q.exclusive());
        }
        return vhost.exchanges().stream().anyMatch(x -> x.name().equals(b.destination()) && x.durable());
    }

    private Object importDefinitions(ApiRequest r) {
        ApiContext.requireAdministrator(r.user());
        DefinitionsImport.apply(ctx.broker, r.json());
        return null;
    }
}
