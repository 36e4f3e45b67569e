package dev.ferrymq.server.management;

import dev.ferrymq.broker.cluster.Cluster;
import dev.ferrymq.broker.cluster.ClusterException;
import dev.ferrymq.broker.cluster.NodeAddress;
import dev.ferrymq.broker.cluster.NodeStatus;
import dev.ferrymq.server.alarm.MemoryProbe;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * /api/nodes: every cluster member (RabbitMQ's {@code name}, {@code type}, {@code running}; FerryMQ's {@code role}
 * in the metadata group and cluster {@code address}), with this node's resource figures; a single node lists only
 * itself. {@code PUT /api/nodes/{node}} with {"address": "host:port"} adds a running node to the cluster and
 * {@code DELETE /api/nodes/{node}} removes one (administrators; RabbitMQ changes membership with rabbitmqctl instead).
 *
 * <p>These calls block the management thread: listing probes each member's cluster port (a refused connection
 * returns at once, an unreachable host costs 250 ms), and a membership change waits until the new membership is
 * committed (well under a second with a live leader; refused at once when this node knows none; up to the Ratis
 * client's retries, about 45 s, if the leader it knows has just died).
 */
final class NodesApi {
    private final ApiContext ctx;

    NodesApi(ApiContext ctx) {
        this.ctx = ctx;
    }

    void register(Routes routes) {
        routes.on("GET", "nodes", r -> nodes())
                .on("GET", "nodes/{node}", r -> nodes().stream()
                        .filter(node -> node.get("name").equals(r.param("node")))
                        .findFirst().orElseThrow(ApiException::notFound))
                .on("PUT", "nodes/{node}", this::add)
                .on("DELETE", "nodes/{node}", this::remove);
    }

    private List<Map<String, Object>> nodes() {
        Cluster cluster = ctx.admin.cluster().orElse(null);
        if (cluster == null) {
            return List.of(localFigures(Json.obj("name", ctx.node, "type", "disc", "running", true)));
        }
        List<Map<String, Object>> nodes = new ArrayList<>();
        for (NodeStatus status : cluster.nodes()) {
            Map<String, Object> node = Json.obj("name", status.name(), "type", "disc", "running", status.running(),
                    "role", status.role().label(), "address", status.node().address());
            nodes.add(status.local() ? localFigures(node) : node);
        }
        return nodes;
    }

    private Object add(ApiRequest r) {
        ApiContext.requireAdministrator(r.user());
        String address = r.json().path("address").asText("");
        NodeAddress node;
        try {
            node = NodeAddress.parse(r.param("node") + "@" + address);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("a node to add needs {\"address\": \"host:port\"} (its cluster port): "
                    + e.getMessage());
        }
        clustered().addNode(node);
        return Routes.Status.CREATED;
    }

    private Object remove(ApiRequest r) {
        ApiContext.requireAdministrator(r.user());
        clustered().removeNode(r.param("node"));
        return Routes.Status.NO_CONTENT;
    }

    private Cluster clustered() {
        return ctx.admin.cluster().orElseThrow(() -> ApiException.badRequest(
                "this node is not clustered (start it with cluster-seeds)"));
    }

    /** {@code node} with this node's own figures added, as RabbitMQ's node entry has them. */
    private Map<String, Object> localFigures(Map<String, Object> node) {
        Runtime rt = Runtime.getRuntime();
        File dataDir = ctx.admin.dataDir().toFile();
        node.putAll(Json.obj(
                // As RabbitMQ's: the figure the memory alarm compares, and the watermark it compares it with.
                "mem_used", MemoryProbe.usedBytes(), "mem_limit", ctx.admin.alarms().memoryLimit(),
                "mem_alarm", ctx.admin.alarms().isMemoryAlarm(),
                "disk_free", dataDir.getUsableSpace(), "disk_free_alarm", ctx.admin.alarms().isDiskAlarm(),
                "processors", rt.availableProcessors(),
                "uptime", ManagementFactory.getRuntimeMXBean().getUptime(),
                "os_pid", String.valueOf(ProcessHandle.current().pid())));
        return node;
    }
}
