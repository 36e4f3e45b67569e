package dev.ferrymq.server.management;

import dev.ferrymq.broker.Exchange;
import dev.ferrymq.broker.MessageCounters;
import dev.ferrymq.broker.exchange.delayed.DelayedExchangeType;
import dev.ferrymq.broker.exchange.delayed.DelayedMessages;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.broker.persistence.Persistence;
import dev.ferrymq.server.amqp.ConnectionInfo;
import dev.ferrymq.server.alarm.MemoryProbe;
import dev.ferrymq.store.FsyncHistogram;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code GET /metrics}: the Prometheus text exposition format (0.0.4), written directly (a few dozen lines, no
 * client library needed). Names follow Prometheus conventions: {@code ferrymq_} prefix, {@code _total} for
 * counters, base units (bytes, seconds). Stateless; reads thread-safe sources.
 */
final class PrometheusMetrics {
    private final ApiContext ctx;

    PrometheusMetrics(ApiContext ctx) {
        this.ctx = ctx;
    }

    String scrape() {
        StringBuilder out = new StringBuilder(4096);
        queueMetrics(out);
        MessageCounters c = ctx.broker.counters();
        counter(out, "ferrymq_published_total", "Messages published by clients", c.published.sum());
        counter(out, "ferrymq_delivered_total", "Messages delivered to consumers or basic.get", c.delivered.sum());
        counter(out, "ferrymq_acknowledged_total", "Deliveries acknowledged by clients", c.acked.sum());
        counter(out, "ferrymq_redelivered_total", "Deliveries that were redeliveries", c.redelivered.sum());
        counter(out, "ferrymq_confirmed_total", "Publisher confirms sent", c.confirmed.sum());
        counter(out, "ferrymq_unroutable_total", "Published messages that reached no queue", c.unroutable.sum());
        List<ConnectionInfo> connections = ctx.admin.connections();
        gauge(out, "ferrymq_connections", "Open AMQP connections", connections.size());
        gauge(out, "ferrymq_alarm_memory", "1 while the memory alarm blocks publishers",
                ctx.admin.alarms().isMemoryAlarm() ? 1 : 0);
        gauge(out, "ferrymq_memory_live_heap_bytes", "Heap in use after the latest garbage collection",
                MemoryProbe.liveHeapBytes());
        gauge(out, "ferrymq_memory_direct_bytes", "Direct (off-heap) buffer memory: Netty's pools and the JDK's",
                MemoryProbe.directBytes());
        gauge(out, "ferrymq_alarm_disk", "1 while the free-disk alarm blocks publishers",
                ctx.admin.alarms().isDiskAlarm() ? 1 : 0);
        gauge(out, "ferrymq_connections_blocked", "Publishing connections blocked by an alarm",
                ctx.admin.blockedConnectionCount());
        gauge(out, "ferrymq_channels", "Open AMQP channels",
                connections.stream().mapToInt(ci -> ci.channels().size()).sum());
        counter(out, "ferrymq_received_bytes_total", "Bytes received from AMQP clients", ctx.admin.bytesReceived());
        counter(out, "ferrymq_sent_bytes_total", "Bytes sent to AMQP clients", ctx.admin.bytesSent());
        gauge(out, "ferrymq_store_disk_used_bytes", "Bytes used by the data directory", diskUsed());
        gauge(out, "ferrymq_store_disk_free_bytes", "Free bytes on the data directory's file system",
                ctx.admin.dataDir().toFile().getUsableSpace());
        delayedMetrics(out);
        fsyncLatency(out);
        jvmMetrics(out);
        return out.toString();
    }

    private void queueMetrics(StringBuilder out) {
        String[][] families = {
                {"ferrymq_queue_messages_ready", "gauge", "Messages ready for delivery"},
                {"ferrymq_queue_messages_unacked", "gauge", "Messages delivered and not yet acknowledged"},
                {"ferrymq_queue_consumers", "gauge", "Consumers on the queue"},
                {"ferrymq_queue_published_total", "counter", "Messages enqueued"},
                {"ferrymq_queue_delivered_total", "counter", "Messages delivered from the queue"},
                {"ferrymq_queue_acknowledged_total", "counter", "Deliveries from the queue acknowledged"},
                {"ferrymq_queue_redelivered_total", "counter", "Redeliveries from the queue"},
        };
        for (int f = 0; f < families.length; f++) {
            out.append("# HELP ").append(families[f][0]).append(' ').append(families[f][2]).append('\n');
            out.append("# TYPE ").append(families[f][0]).append(' ').append(families[f][1]).append('\n');
            for (VirtualHost vhost : ctx.broker.virtualHosts()) {
                for (Queue queue : vhost.queues()) {
                    MessageCounters c = queue.counters();
                    long value = switch (f) {
                        case 0 -> queue.messageCount();
                        case 1 -> queue.unackedCount();
                        case 2 -> queue.consumerCount();
                        case 3 -> c.published.sum();
                        case 4 -> c.delivered.sum();
                        case 5 -> c.acked.sum();
                        default -> c.redelivered.sum();
                    };
                    out.append(families[f][0]).append("{vhost=\"").append(escape(vhost.name()))
                            .append("\",queue=\"").append(escape(queue.name())).append("\"} ").append(value)
                            .append('\n');
                }
            }
        }
    }

    /** The delayed-message scheduler: broker-wide totals, and the scheduled count per delayed exchange. */
    private void delayedMetrics(StringBuilder out) {
        DelayedMessages delayed = ctx.broker.delayedMessages();
        if (delayed == null) {
            return;
        }
        Map<String, Long> figures = delayed.figures();
        counter(out, "ferrymq_delayed_scheduled_total", "Messages delayed by delayed-message exchanges",
                figures.get("scheduled_total"));
        counter(out, "ferrymq_delayed_routed_total", "Delayed messages routed when due", figures.get("routed_total"));
        counter(out, "ferrymq_delayed_dropped_total", "Delayed messages whose exchange was gone when due",
                figures.get("dropped_total"));
        gauge(out, "ferrymq_delayed_buckets", "Time-bucket files of scheduled messages", figures.get("buckets"));
        out.append("# HELP ferrymq_delayed_lateness_seconds How late delayed messages were routed after their due time\n")
                .append("# TYPE ferrymq_delayed_lateness_seconds summary\n");
        for (String q : new String[] {"0.5", "0.99", "1"}) {
            long millis = figures.get(q.equals("0.5") ? "lateness_p50_ms" : q.equals("0.99") ? "lateness_p99_ms"
                    : "lateness_max_ms");
            if (millis >= 0) {
                out.append("ferrymq_delayed_lateness_seconds{quantile=\"").append(q).append("\"} ")
                        .append(millis / 1000.0).append('\n');
            }
        }
        out.append("# HELP ferrymq_delayed_messages Messages scheduled in a delayed-message exchange\n")
                .append("# TYPE ferrymq_delayed_messages gauge\n");
        for (VirtualHost vhost : ctx.broker.virtualHosts()) {
            for (Exchange exchange : vhost.exchanges()) {
                if (exchange.type().equals(DelayedExchangeType.NAME)) {
                    out.append("ferrymq_delayed_messages{vhost=\"").append(escape(vhost.name()))
                            .append("\",exchange=\"").append(escape(exchange.name())).append("\"} ")
                            .append(delayed.count(vhost.name(), exchange.name())).append('\n');
                }
            }
        }
    }

    private static void jvmMetrics(StringBuilder out) {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        gauge(out, "jvm_memory_heap_used_bytes", "JVM heap in use", heap.getUsed());
        gauge(out, "jvm_memory_heap_max_bytes", "JVM maximum heap", heap.getMax());
        MemoryUsage nonHeap = ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage();
        gauge(out, "jvm_memory_nonheap_used_bytes", "JVM non-heap memory in use", nonHeap.getUsed());
        gauge(out, "jvm_threads_live", "Live JVM threads", ManagementFactory.getThreadMXBean().getThreadCount());
        long gcCount = 0;
        long gcMillis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcCount += Math.max(0, gc.getCollectionCount());
            gcMillis += Math.max(0, gc.getCollectionTime());
        }
        counter(out, "jvm_gc_collections_total", "Garbage collections", gcCount);
        out.append("# HELP jvm_gc_collection_seconds_total Time spent in garbage collection\n")
                .append("# TYPE jvm_gc_collection_seconds_total counter\n")
                .append("jvm_gc_collection_seconds_total ").append(gcMillis / 1000.0).append('\n');
        gauge(out, "process_uptime_seconds", "JVM uptime",
                ManagementFactory.getRuntimeMXBean().getUptime() / 1000);
    }

    private void fsyncLatency(StringBuilder out) {
        Persistence persistence = ctx.broker.persistence();
        if (persistence != null) {
            FsyncHistogram latency = persistence.syncer().fsyncLatency();
            Log2Histogram.write(out, "ferrymq_store_fsync_seconds", "Time each fsync of a store file took",
                    latency.snapshot(), latency.totalNanos());
        }
    }

    private long diskUsed() {
        Path dir = ctx.admin.dataDir();
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (Exception e) {
            return 0;
        }
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        metric(out, name, "counter", help, value);
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        metric(out, name, "gauge", help, value);
    }

    private static void metric(StringBuilder out, String name, String type, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(' ').append(type).append('\n')
                .append(name).append(' ').append(value).append('\n');
    }

    private static String escape(String label) {
        return label.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
