package dev.ferrymq.server.management;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferrymq.broker.Exchange;
import dev.ferrymq.broker.Permissions.Access;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.broker.routing.Binding;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * /api/bindings: list, create ({@code POST .../e/{source}/q/{queue}} or {@code .../e/{source}/e/{exchange}}), show
 * and delete by "properties key" (the routing key, "~" for an empty one, plus "~hash" when the binding has
 * arguments), as RabbitMQ names them. The implicit default-exchange binding of every queue is listed too.
 */
final class BindingApi {
    private final ApiContext ctx;

    BindingApi(ApiContext ctx) {
        this.ctx = ctx;
    }

    /** One binding as the API shows it. */
    record View(String vhost, String source, String destination, String destinationType, String routingKey,
                Map<String, Object> arguments) {
        Map<String, Object> json() {
            return Json.obj("source", source, "vhost", vhost, "destination", destination,
                    "destination_type", destinationType, "routing_key", routingKey,
                    "arguments", Json.fromAmqp(arguments), "properties_key", propertiesKey(routingKey, arguments));
        }
    }

    void register(Routes routes) {
        routes.on("GET", "bindings", r -> json(r, null, b -> true))
                .on("GET", "bindings/{vhost}", r -> json(r, r.param("vhost"), b -> true));
        for (String kind : List.of("q", "e")) {
            String type = kind.equals("q") ? "queue" : "exchange";
            String base = "bindings/{vhost}/e/{source}/" + kind + "/{destination}";
            routes.on("GET", base, r -> json(r, r.param("vhost"), between(r, type)))
                    .on("POST", base, r -> create(r, type))
                    .on("GET", base + "/{props}", r -> show(r, type))
                    .on("DELETE", base + "/{props}", r -> delete(r, type));
        }
        routes.on("GET", "queues/{vhost}/{name}/bindings", r -> json(r, r.param("vhost"),
                        b -> b.destinationType().equals("queue") && b.destination().equals(r.param("name"))))
                .on("GET", "exchanges/{vhost}/{name}/bindings/source", r -> json(r, r.param("vhost"),
                        b -> b.source().equals(r.param("name"))))
                .on("GET", "exchanges/{vhost}/{name}/bindings/destination", r -> json(r, r.param("vhost"),
                        b -> b.destinationType().equals("exchange") && b.destination().equals(r.param("name"))));
    }

    private List<Object> json(ApiRequest r, String vhostName, Predicate<View> filter) {
        List<Object> out = new ArrayList<>();
        for (VirtualHost vhost : ctx.vhosts(r.user(), vhostName)) {
            for (View view : views(vhost)) {
                if (filter.test(view)) {
                    out.add(view.json());
                }
            }
        }
        return out;
    }

    /** Every binding of a vhost, the default exchange's first, then by source exchange name. */
    static List<View> views(VirtualHost vhost) {
        List<View> views = new ArrayList<>();
        List<Queue> queues = new ArrayList<>(vhost.queues());
        queues.sort((a, b) -> a.name().compareTo(b.name()));
        for (Queue queue : queues) {
            views.add(new View(vhost.name(), "", queue.name(), "queue", queue.name(), Map.of()));
        }
        List<Exchange> exchanges = new ArrayList<>(vhost.exchanges());
        exchanges.sort((a, b) -> a.name().compareTo(b.name()));
        for (Exchange exchange : exchanges) {
            for (Binding binding : exchange.router().bindings()) {
                views.add(new View(vhost.name(), exchange.name(), binding.destination().name(),
                        binding.destination() instanceof Queue ? "queue" : "exchange", binding.routingKey(),
                        binding.arguments()));
            }
        }
        return views;
    }

    private static Predicate<View> between(ApiRequest r, String type) {
        return b -> b.source().equals(r.param("source")) && b.destinationType().equals(type)
                && b.destination().equals(r.param("destination"));
    }

    private Object create(ApiRequest r, String type) {
        VirtualHost vhost = ctx.vhost(r.user(), r.param("vhost"));
        String source = r.param("source");
        String destination = r.param("destination");
        ctx.check(r.user(), vhost.name(), Access.WRITE, type, destination);
        ctx.check(r.user(), vhost.name(), Access.READ, "exchange", source);
        JsonNode body = r.json();
        String routingKey = Json.text(body, "routing_key", "");
        Map<String, Object> arguments = Json.toAmqpTable(body.get("arguments"));
        if (type.equals("queue")) {
            vhost.bindQueue(destination, source, routingKey, arguments, null);
        } else {
            vhost.bindExchange(destination, source, routingKey, arguments);
        }
        return Routes.Status.CREATED;
    }

    private View find(ApiRequest r, String type) {
        VirtualHost vhost = ctx.vhost(r.user(), r.param("vhost"));
        Predicate<View> between = between(r, type);
        for (View view : views(vhost)) {
            if (between.test(view) && propertiesKey(view.routingKey(), view.arguments()).equals(r.param("props"))) {
                return view;
            }
        }
        throw ApiException.notFound();
    }

    private Object show(ApiRequest r, String type) {
        return find(r, type).json();
    }

    private Object delete(ApiRequest r, String type) {
        View view = find(r, type);
        VirtualHost vhost = ctx.vhost(r.user(), view.vhost());
        ctx.check(r.user(), vhost.name(), Access.WRITE, type, view.destination());
        ctx.check(r.user(), vhost.name(), Access.READ, "exchange", view.source());
        if (type.equals("queue")) {
            vhost.unbindQueue(view.destination(), view.source(), view.routingKey(), view.arguments(), null);
        } else {
            vhost.unbindExchange(view.destination(), view.source(), view.routingKey(), view.arguments());
        }
        return null;
    }

    static String propertiesKey(String routingKey, Map<String, Object> arguments) {
        String key = routingKey.isEmpty() ? "~" : routingKey;
        if (arguments == null || arguments.isEmpty()) {
            return key;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(
                    String.valueOf(Json.fromAmqp(arguments)).getBytes(StandardCharsets.UTF_8));
            return key + "~" + Base64.getUrlEncoder().withoutPadding().encodeToString(hash).substring(0, 22);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
