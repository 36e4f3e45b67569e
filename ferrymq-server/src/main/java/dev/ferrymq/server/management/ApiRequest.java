package dev.ferrymq.server.management;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.ferrymq.broker.Users;

import java.util.List;
import java.util.Map;

/**
 * One authenticated API request: the path parameters its route captured (already percent-decoded, so the vhost
 * "/" arrives as "/"), the query parameters and the parsed JSON body. Immutable.
 */
record ApiRequest(String method, Map<String, String> params, Map<String, List<String>> query, JsonNode body,
                  Users.User user) {

    String param(String name) {
        return params.get(name);
    }

    /** The body, or an empty object node when there was none. */
    JsonNode json() {
        return body == null || body instanceof NullNode ? Json.MAPPER.createObjectNode() : body;
    }

    String query(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
