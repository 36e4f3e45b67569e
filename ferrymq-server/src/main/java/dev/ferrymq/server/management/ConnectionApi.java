package dev.ferrymq.server.management;

import dev.ferrymq.broker.Users;
import dev.ferrymq.broker.adapter.AdapterConnection;
import dev.ferrymq.server.amqp.ConnectionInfo;
import dev.ferrymq.server.amqp.channel.ChannelInfo;
import dev.ferrymq.server.amqp.channel.ConsumerInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * /api/connections (AMQP and MQTT), /api/channels and /api/consumers. Users see their own connections; monitoring and
 * administrator users see all. Closing another user's connection needs administrator.
 */
final class ConnectionApi {
    private final ApiContext ctx;

    ConnectionApi(ApiContext ctx) {
        this.ctx = ctx;
    }

    void register(Routes routes) {
        routes.pagedList("connections", r -> connections(r, null))
                .on("GET", "vhosts/{vhost}/connections", r -> connections(r, r.param("vhost")))
                .on("GET", "connections/{name}", this::oneConnection)
                .on("DELETE", "connections/{name}", this::close)
                .on("GET", "connections/{name}/channels", r -> channelsOf(connection(r)))
                .pagedList("channels", r -> channels(r, null))
                .on("GET", "vhosts/{vhost}/channels", r -> channels(r, r.param("vhost")))
                .on("GET", "consumers", r -> consumers(r, null))
                .on("GET", "consumers/{vhost}", r -> consumers(r, r.param("vhost")));
    }

    /** Open connections the user may see, optionally of one vhost. */
    private List<ConnectionInfo> visible(Users.User user, String vhost) {
        List<ConnectionInfo> out = new ArrayList<>();
        for (ConnectionInfo c : ctx.admin.connections()) {
            if (c.vhost() == null || (vhost != null && !vhost.equals(c.vhost()))) {
                continue;
            }
            if (user.canMonitor() || user.name().equals(c.user())) {
                out.add(c);
            }
        }
        return out;
    }

    private List<Object> connections(ApiRequest r, String vhost) {
        List<Object> out = new ArrayList<>();
        visible(r.user(), vhost).forEach(c -> out.add(connectionJson(c)));
        visibleAdapterConnections(r.user(), vhost).forEach(c -> out.add(adapterConnectionJson(c)));
        return out;
    }

    /** MQTT connections the user may see, optionally of one vhost (same rule as for AMQP). */
    private List<AdapterConnection> visibleAdapterConnections(Users.User user, String vhost) {
        return ctx.admin.adapterConnections().stream()
                .filter(c -> vhost == null || vhost.equals(c.vhost()))
                .filter(c -> user.canMonitor() || user.name().equals(c.user())).toList();
    }

    private ConnectionInfo connection(ApiRequest r) {
        ConnectionInfo c = findConnection(r);
        if (c == null) {
            throw ApiException.notFound();
        }
        return c;
    }

    private ConnectionInfo findConnection(ApiRequest r) {
        for (ConnectionInfo c : visible(r.user(), null)) {
            if (c.name().equals(r.param("name"))) {
                return c;
            }
        }
        return null;
    }

    private AdapterConnection adapterConnection(ApiRequest r) {
        return visibleAdapterConnections(r.user(), null).stream().filter(c -> c.name().equals(r.param("name")))
                .findFirst().orElseThrow(ApiException::notFound);
    }

    private Map<String, Object> oneConnection(ApiRequest r) {
        ConnectionInfo c = findConnection(r);
        return c != null ? connectionJson(c) : adapterConnectionJson(adapterConnection(r));
    }

    /** An MQTT connection as RabbitMQ's MQTT plugin lists it (the client id in {@code variable_map}). */
    private Map<String, Object> adapterConnectionJson(AdapterConnection c) {
        return Json.obj("name", c.name(), "node", ctx.node, "type", "network", "state", "running",
                "protocol", c.protocol(), "user", c.user(), "vhost", c.vhost(), "auth_mechanism", "none",
                "peer_host", c.peerHost(), "peer_port", c.peerPort(), "host", c.host(), "port", c.port(),
                "ssl", false, "connected_at", c.connectedAt(), "channels", 1,
                "client_properties", Map.of(), "variable_map", Json.obj("client_id", c.clientId()));
    }

    private Map<String, Object> connectionJson(ConnectionInfo c) {
        return Json.obj("name", c.name(), "node", ctx.node, "type", "network", "state", "running",
                "protocol", "AMQP 0-9-1", "user", c.user(), "vhost", c.vhost(), "auth_mechanism", c.authMechanism(),
                "peer_host", c.peerHost(), "peer_port", c.peerPort(), "host", c.host(), "port", c.port(),
                "ssl", false, "connected_at", c.connectedAt(), "channels", c.channels().size(),
                "frame_max", c.frameMax(), "channel_max", c.channelMax(), "timeout", c.heartbeat(),
                "recv_oct", c.receivedBytes(), "send_oct", c.sentBytes(),
                "client_properties", Json.fromAmqp(c.clientProperties()));
    }

    private Object close(ApiRequest r) {
        ConnectionInfo amqp = findConnection(r);
        String name = amqp != null ? amqp.name() : adapterConnection(r).name();
        String user = amqp != null ? amqp.user() : adapterConnection(r).user();
        if (!r.user().name().equals(user)) {
            ApiContext.requireAdministrator(r.user());
        }
        String reason = r.query("reason") != null ? r.query("reason") : "Closed via management plugin";
        ctx.admin.closeConnection(name, reason);
        return null;
    }

    private List<Object> channels(ApiRequest r, String vhost) {
        List<Object> out = new ArrayList<>();
        for (ConnectionInfo c : visible(r.user(), vhost)) {
            out.addAll(channelsOf(c));
        }
        return out;
    }

    private List<Object> channelsOf(ConnectionInfo c) {
        List<Object> out = new ArrayList<>();
        for (ChannelInfo ch : c.channels()) {
            out.add(Json.obj("name", channelName(c, ch), "node", ctx.node, "number", ch.number(),
                    "user", c.user(), "vhost", c.vhost(), "state", "running",
                    "connection_details", Json.obj("name", c.name(), "peer_host", c.peerHost(),
                            "peer_port", c.peerPort()),
                    "consumer_count", ch.consumers().size(), "messages_unacknowledged", ch.unacked(),
                    "prefetch_count", ch.prefetchCount(), "global_prefetch_count", ch.globalPrefetchCount(),
                    "confirm", ch.confirm(), "transactional", ch.transactional()));
        }
        return out;
    }

    private static String channelName(ConnectionInfo c, ChannelInfo ch) {
        return c.name() + " (" + ch.number() + ")";
    }

    private List<Object> consumers(ApiRequest r, String vhost) {
        if (vhost != null) {
            ctx.vhost(r.user(), vhost);
        }
        List<Object> out = new ArrayList<>();
        for (ConnectionInfo c : visible(r.user(), vhost)) {
            for (ChannelInfo ch : c.channels()) {
                for (ConsumerInfo consumer : ch.consumers()) {
                    out.add(Json.obj("consumer_tag", consumer.tag(),
                            "queue", Json.obj("name", consumer.queue(), "vhost", c.vhost()),
                            "channel_details", Json.obj("name", channelName(c, ch), "number", ch.number(),
                                    "connection_name", c.name(), "peer_host", c.peerHost(),
                                    "peer_port", c.peerPort(), "user", c.user()),
                            "ack_required", consumer.ackRequired(), "exclusive", false,
                            "prefetch_count", consumer.prefetchCount(), "active", true,
                            "activity_status", "up", "arguments", Map.of()));
                }
            }
        }
        return out;
    }
}
