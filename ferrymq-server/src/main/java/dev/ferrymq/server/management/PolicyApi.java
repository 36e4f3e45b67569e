package dev.ferrymq.server.management;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferrymq.broker.Policy;
import dev.ferrymq.broker.Users;
import dev.ferrymq.broker.VirtualHost;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * /api/policies and /api/operator-policies, in RabbitMQ's JSON ({@code pattern}, {@code definition},
 * {@code priority}, {@code apply-to}). Reading policies needs the policymaker or administrator tag (operator
 * policies: administrator); changing either needs administrator. Stateless, so thread-safe.
 */
final class PolicyApi {
    private final ApiContext ctx;

    PolicyApi(ApiContext ctx) {
        this.ctx = ctx;
    }

    void register(Routes routes) {
        for (String kind : List.of("policies", "operator-policies")) {
            boolean operator = kind.equals("operator-policies");
            routes.on("GET", kind, r -> list(r, null, operator))
                    .on("GET", kind + "/{vhost}", r -> list(r, r.param("vhost"), operator))
                    .on("GET", kind + "/{vhost}/{name}", r -> get(r, operator))
                    .on("PUT", kind + "/{vhost}/{name}", r -> put(r, operator))
                    .on("DELETE", kind + "/{vhost}/{name}", r -> delete(r, operator));
        }
    }

    private static void requireReader(Users.User user, boolean operator) {
        if (!user.isAdministrator() && (operator || !user.hasTag(Users.POLICYMAKER))) {
            throw ApiException.notAuthorised("Not policymaker user");
        }
    }

    private List<Object> list(ApiRequest r, String vhostName, boolean operator) {
        requireReader(r.user(), operator);
        List<Object> out = new ArrayList<>();
        for (VirtualHost vhost : ctx.vhosts(r.user(), vhostName)) {
            for (Policy p : vhost.policies().all(operator)) {
                out.add(policyJson(p));
            }
        }
        return out;
    }

    private Object get(ApiRequest r, boolean operator) {
        requireReader(r.user(), operator);
        Policy p = ctx.vhost(r.user(), r.param("vhost")).policies().get(r.param("name"), operator);
        if (p == null) {
            throw ApiException.notFound();
        }
        return policyJson(p);
    }

    private Object put(ApiRequest r, boolean operator) {
        ApiContext.requireAdministrator(r.user());
        VirtualHost vhost = ctx.vhost(r.user(), r.param("vhost"));
        boolean existed = vhost.policies().get(r.param("name"), operator) != null;
        vhost.setPolicy(fromJson(vhost.name(), r.param("name"), operator, r.json()));
        return existed ? Routes.Status.NO_CONTENT : Routes.Status.CREATED;
    }

    private Object delete(ApiRequest r, boolean operator) {
        ApiContext.requireAdministrator(r.user());
        if (!ctx.vhost(r.user(), r.param("vhost")).clearPolicy(r.param("name"), operator)) {
            throw ApiException.notFound();
        }
        return null;
    }

    static Map<String, Object> policyJson(Policy p) {
        return Json.obj("vhost", p.vhost(), "name", p.name(), "pattern", p.pattern(), "apply-to",
                p.applyTo().value(), "definition", p.definition(), "priority", p.priority());
    }

    /** A policy from its JSON; 400 naming what is missing or invalid. */
    static Policy fromJson(String vhost, String name, boolean operator, JsonNode body) {
        for (String field : List.of("pattern", "definition")) {
            if (!body.hasNonNull(field)) {
                throw ApiException.badRequest("[{key_missing," + field + "}]");
            }
        }
        if (!body.get("definition").isObject()) {
            throw ApiException.badRequest("definition must be a JSON object");
        }
        JsonNode priority = body.get("priority");
        if (priority != null && !priority.isNull() && !priority.canConvertToInt()
                && !(priority.isTextual() && priority.asText().matches("-?\\d{1,9}"))) {
            throw ApiException.badRequest("priority must be an integer");
        }
        return Policy.of(vhost, name, operator, body.get("pattern").asText(),
                Policy.ApplyTo.parse(Json.text(body, "apply-to", "all")),
                priority == null || priority.isNull() ? 0 : priority.asInt(),
                Json.toAmqpTable(body.get("definition")));
    }
}
