package dev.ferrymq.server.management;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferrymq.broker.TopicPermissions.TopicPermission;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * /api/topic-permissions, /api/users/{user}/topic-permissions and /api/vhosts/{vhost}/topic-permissions, with
 * RabbitMQ's shapes and answers: GET of a user's topic permissions in a vhost is a list (404 when there are none),
 * a PUT sets the one for the body's exchange (201 when the user had none in the vhost, else 204; 400
 * {@code vhost_or_user_not_found}), a DELETE removes all of them or, with an exchange in the path, that one (404
 * when the user has none in the vhost). All need the administrator tag.
 */
final class TopicPermissionApi {
    private static final String ONE = "topic-permissions/{vhost}/{user}";
    private static final String ONE_EXCHANGE = "topic-permissions/{vhost}/{user}/{exchange}";

    private final ApiContext ctx;

    TopicPermissionApi(ApiContext ctx) {
        this.ctx = ctx;
    }

    void register(Routes routes) {
        routes.on("GET", "topic-permissions", r -> list(r, p -> true))
                .on("GET", "users/{user}/topic-permissions", this::ofUser)
                .on("GET", "vhosts/{vhost}/topic-permissions", this::ofVhost)
                .on("GET", ONE, this::get)
                .on("GET", ONE_EXCHANGE, this::get) // as RabbitMQ: the exchange does not narrow the answer
                .on("PUT", ONE, this::put)
                .on("PUT", ONE_EXCHANGE, this::put)
                .on("DELETE", ONE, this::delete)
                .on("DELETE", ONE_EXCHANGE, this::delete);
    }

    static Map<String, Object> json(TopicPermission p) {
        return Json.obj("user", p.user(), "vhost", p.vhost(), "exchange", p.exchange(), "write", p.write(),
                "read", p.read());
    }

    private List<Object> list(ApiRequest r, Predicate<TopicPermission> filter) {
        ApiContext.requireAdministrator(r.user());
        List<Object> out = new ArrayList<>();
        for (TopicPermission p : ctx.broker.topicPermissions().all()) {
            if (filter.test(p)) {
                out.add(json(p));
            }
        }
        return out;
    }

    private Object ofUser(ApiRequest r) {
        ApiContext.requireAdministrator(r.user());
        String user = r.param("user");
        if (ctx.broker.users().get(user) == null) {
            throw ApiException.notFound();
        }
        return list(r, p -> p.user().equals(user));
    }

    private Object ofVhost(ApiRequest r) {
        ApiContext.requireAdministrator(r.user());
        String vhost = r.param("vhost");
        if (ctx.broker.virtualHost(vhost) == null) {
            throw ApiException.notFound();
        }
        return list(r, p -> p.vhost().equals(vhost));
    }

    private Object get(ApiRequest r) {
        List<Object> found = list(r, p -> p.user().equals(r.param("user")) && p.vhost().equals(r.param("vhost")));
        if (found.isEmpty()) {
            throw ApiException.notFound();
        }
        return found;
    }

    private Object put(ApiRequest r) {
        ApiContext.requireAdministrator(r.user());
        String user = r.param("user");
        String vhost = r.param("vhost");
        if (ctx.broker.users().get(user) == null || ctx.broker.virtualHost(vhost) == null) {
            throw ApiException.badRequest("vhost_or_user_not_found");
        }
        JsonNode body = r.json();
        for (String field : List.of("exchange", "write", "read")) {
            if (!body.has(field)) {
                throw ApiException.badRequest("[{key_missing," + field + "}]");
            }
        }
        boolean existed = !ctx.broker.topicPermissions().of(user, vhost).isEmpty();
        try {
            ctx.broker.setTopicPermission(user, vhost, body.get("exchange").asText(), body.get("write").asText(),
                    body.get("read").asText());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        return existed ? Routes.Status.NO_CONTENT : Routes.Status.CREATED;
    }

    private Object delete(ApiRequest r) {
        ApiContext.requireAdministrator(r.user());
        String user = r.param("user");
        String vhost = r.param("vhost");
        if (ctx.broker.topicPermissions().of(user, vhost).isEmpty()) {
            throw ApiException.notFound();
        }
        String exchange = r.param("exchange");
        if (exchange == null) {
            ctx.broker.clearTopicPermissions(user, vhost);
        } else {
            ctx.broker.clearTopicPermission(user, vhost, exchange);
        }
        return null;
    }
}
