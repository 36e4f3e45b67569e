package dev.ferrymq.server.management;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The API's route table: templates like {@code queues/{vhost}/{name}/get} (relative to /api/) with one handler per
 * HTTP method. A path matches a template with the same number of segments whose literal segments are equal.
 * Filled at start-up, read-only afterwards, so safe to share between threads.
 */
final class Routes {

    /** Handles a request; returns the JSON body (null: 204 No Content) or a {@link Status}. */
    @FunctionalInterface
    interface Handler {
        Object handle(ApiRequest request) throws Exception;
    }

    /** A response with an explicit status and optional JSON body, e.g. 201 Created. */
    record Status(int code, Object body) {
        static final Status CREATED = new Status(201, null);
        static final Status NO_CONTENT = new Status(204, null);
    }

    /** A matched route: its handler, the captured path parameters and whether it answers a pageable list. */
    record Match(Handler handler, Map<String, String> params, boolean pageable) {
    }

    private record Route(String[] template, Map<String, Handler> byMethod) {
    }

    private final List<Route> routes = new ArrayList<>();
    private final Set<String> pageable = new HashSet<>();

    /**
     * A GET answering a list that RabbitMQ pages: {@code page}, {@code page_size}, {@code name} and
     * {@code use_regex} apply to it (see {@link ListQuery}).
     */
    Routes pagedList(String template, Handler handler) {
        pageable.add(template);
        return on("GET", template, handler);
    }

    Routes on(String method, String template, Handler handler) {
        String[] segments = template.split("/");
        for (Route route : routes) {
            if (String.join("/", route.template()).equals(template)) {
                route.byMethod().put(method, handler);
                return this;
            }
        }
        Map<String, Handler> byMethod = new HashMap<>();
        byMethod.put(method, handler);
        routes.add(new Route(segments, byMethod));
        return this;
    }

    /** The handler for a method and decoded path segments; 404 if no template matches, 405 if the method does not. */
    Match match(String method, List<String> segments) {
        for (Route route : routes) {
            Map<String, String> params = bind(route.template(), segments);
            if (params != null) {
                Handler handler = route.byMethod().get(method);
                if (handler == null && method.equals("HEAD")) {
                    handler = route.byMethod().get("GET");
                }
                if (handler == null) {
                    throw ApiException.methodNotAllowed();
                }
                return new Match(handler, params, pageable.contains(String.join("/", route.template())));
            }
        }
        throw ApiException.notFound();
    }

    private static Map<String, String> bind(String[] template, List<String> segments) {
        if (template.length != segments.size()) {
            return null;
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            if (t.startsWith("{") && t.endsWith("}")) {
                params.put(t.substring(1, t.length() - 1), segments.get(i));
            } else if (!t.equals(segments.get(i))) {
                return null;
            }
        }
        return params;
    }
}
