package dev.ferrymq.server.management;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferrymq.broker.Permissions;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.Users;
import dev.ferrymq.broker.VirtualHost;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** /api/vhosts, /api/users, /api/permissions and /api/whoami. Changes need the administrator tag. */
final class AccessApi {
    static final String SHA256 = "rabbit_password_hashing_sha256";
    static final String SHA512 = "rabbit_password_hashing_sha512";

    private final ApiContext ctx;

    AccessApi(ApiContext ctx) {
        this.ctx = ctx;
    }

    void register(Routes routes) {
        routes.on("GET", "whoami", r -> Json.obj("name", r.user().name(), "tags", r.user().tags()))
                .pagedList("vhosts", r -> vhosts(r))
                .on("GET", "vhosts/{vhost}", r -> vhostJson(ctx.vhost(r.user(), r.param("vhost"))))
                .on("PUT", "vhosts/{vhost}", this::putVhost)
                .on("DELETE", "vhosts/{vhost}", this::deleteVhost)
                .on("GET", "vhosts/{vhost}/permissions", r -> permissions(r, p -> p.vhost().equals(r.param("vhost"))))
                .on("GET", "users", this::users)
                .on("GET", "users/{user}", r -> userJson(user(r)))
                .on("PUT", "users/{user}", this::putUser)
                .on("DELETE", "users/{user}", this::deleteUser)
                .on("GET", "users/{user}/permissions", r -> permissions(r, p -> p.user().equals(r.param("user"))))
                .on("GET", "permissions", r -> permissions(r, p -> true))
                .on("GET", "permissions/{vhost}/{user}", this::permission)
                .on("PUT", "permissions/{vhost}/{user}", this::putPermission)
                .on("DELETE", "permissions/{vhost}/{user}", this::deletePermission);
    }

    private List<Object> vhosts(ApiRequest r) {
        List<Object> out = new ArrayList<>();
        for (VirtualHost vhost : ctx.visibleVhosts(r.user())) {
            out.add(vhostJson(vhost));
        }
        return out;
    }

    private Map<String, Object> vhostJson(VirtualHost vhost) {
        long ready = 0;
        long unacked = 0;
        for (Queue queue : vhost.queues()) {
            ready += queue.messageCount();
            unacked += queue.unackedCount();
        }
        return Json.obj("name", vhost.name(), "description", "", "tags", List.of(), "tracing", false,
                "messages", ready + unacked, "messages_ready", ready, "messages_unacknowledged", unacked,
                "cluster_state", Map.of(ctx.node, "running"));
    }

    private Object putVhost(ApiRequest r) {
        ApiContext.requireAdministrator(r.user());
        String name = r.param("vhost");
        boolean existed = ctx.broker.virtualHost(name) != null;
        ctx.broker.addVirtualHost(name);
        if (!existed) {
            // as RabbitMQ: the creating administrator gets full permissions on the new vhost
            ctx.broker.setPermissions(r.user().name(), name, ".*", ".*", ".*");
        }
        return existed ? Routes.Status.NO_CONTENT : Routes.Status.CREATED;
    }

    private Object deleteVhost(ApiRequest r) {
        ApiContext.requireAdministrator(r.user());
        if (!ctx.broker.deleteVirtualHost(r.param("vhost"))) {
            throw ApiException.notFound();
        }
        return null;
    }

    private Object users(ApiRequest r) {
        ApiContext.requireAdministrator(r.user());
        List<Object> out = new ArrayList<>();
        for (Users.User user : ctx.broker.users().all()) {
            out.add(userJson(user));
        }
        return out;
    }

    private Users.User user(ApiRequest r) {
        ApiContext.requireAdministrator(r.user());
        Users.User user = ctx.broker.users().get(r.param("user"));
        if (user == null) {
            throw ApiException.notFound();
        }
        return user;
    }

    static Map<String, Object> userJson(Users.User user) {
        byte[] hash = user.passwordHash();
        return Json.obj("name", user.name(), "password_hash", Base64.getEncoder().encodeToString(hash),
                "hashing_algorithm", hash.length == 4 + 64 ? SHA512 : SHA256, "tags", user.tags(),
                "limits", Map.of());
    }

    private Object putUser(ApiRequest r) {
        ApiContext.requireAdministrator(r.user());
        String name = r.param("user");
        JsonNode body = r.json();
        Users.User existing = ctx.broker.users().get(name);
        byte[] hash = passwordHash(body, existing);
        if (!body.has("tags")) {
            throw ApiException.badRequest("[{key_missing,tags}]");
        }
        ctx.broker.putUser(name, hash, Json.tags(body.get("tags")));
        return existing == null ? Routes.Status.CREATED : Routes.Status.NO_CONTENT;
    }

    /** From "password", "password_hash" (base64, as exported) or, for an existing user, the hash it has. */
    static byte[] passwordHash(JsonNode body, Users.User existing) {
        if (body.hasNonNull("password")) {
            return Users.hashPassword(body.get("password").asText());
        }
        if (body.hasNonNull("password_hash")) {
            String algorithm = Json.text(body, "hashing_algorithm", SHA256);
            if (!algorithm.equals(SHA256) && !algorithm.equals(SHA512)) {
                throw ApiException.badRequest("unsupported hashing_algorithm '" + algorithm + "'");
            }
            try {
                return Base64.getDecoder().decode(body.get("password_hash").asText());
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("password_hash is not base64");
            }
        }
        if (existing != null) {
            return existing.passwordHash();
        }
        throw ApiException.badRequest("[{key_missing,password}] or [{key_missing,password_hash}]");
    }

    private Object deleteUser(ApiRequest r) {
        ApiContext.requireAdministrator(r.user());
        if (!ctx.broker.deleteUser(r.param("user"))) {
            throw ApiException.notFound();
        }
        return null;
    }

    private List<Object> permissions(ApiRequest r, Predicate<Permissions.Permission> filter) {
        ApiContext.requireAdministrator(r.user());
        List<Object> out = new ArrayList<>();
        for (Permissions.Permission p : ctx.broker.permissions().all()) {
            if (filter.test(p)) {
                out.add(permissionJson(p));
            }
        }
        return out;
    }

    static Map<String, Object> permissionJson(Permissions.Permission p) {
        return Json.obj("user", p.user(), "vhost", p.vhost(), "configure", p.configure(), "write", p.write(),
                "read", p.read());
    }

    private Object permission(ApiRequest r) {
        ApiContext.requireAdministrator(r.user());
        Permissions.Permission p = ctx.broker.permissions().get(r.param("user"), r.param("vhost"));
        if (p == null) {
            throw ApiException.notFound();
        }
        return permissionJson(p);
    }

    private Object putPermission(ApiRequest r) {
        ApiContext.requireAdministrator(r.user());
        JsonNode body = r.json();
        for (String field : List.of("configure", "write", "read")) {
            if (!body.has(field)) {
                throw ApiException.badRequest("[{key_missing," + field + "}]");
            }
        }
        String user = r.param("user");
        String vhost = r.param("vhost");
        if (ctx.broker.users().get(user) == null || ctx.broker.virtualHost(vhost) == null) {
            throw ApiException.badRequest("no user '" + user + "' or no vhost '" + vhost + "'");
        }
        boolean existed = ctx.broker.permissions().get(user, vhost) != null;
        try {
            ctx.broker.setPermissions(user, vhost, body.get("configure").asText(), body.get("write").asText(),
                    body.get("read").asText());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        return existed ? Routes.Status.NO_CONTENT : Routes.Status.CREATED;
    }

    private Object deletePermission(ApiRequest r) {
        ApiContext.requireAdministrator(r.user());
        if (!ctx.broker.clearPermissions(r.param("user"), r.param("vhost"))) {
            throw ApiException.notFound();
        }
        return null;
    }
}
